"""Errors the API answers with: an HTTP status, a machine code and one Chinese sentence."""


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def forbidden(message: str) -> ApiError:
    return ApiError(403, "forbidden", message)


def invalid(message: str) -> ApiError:
    return ApiError(422, "invalid", message)


def not_found(message: str) -> ApiError:
    return ApiError(404, "not_found", message)
