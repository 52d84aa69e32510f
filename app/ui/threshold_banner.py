"""The threshold banner: "this case appears to meet the prosecution threshold of …".

Shown in the wizard and the case view whenever the entered facts meet a basic-tier rule
(:func:`app.domain.thresholds.evaluate`). Each rule met is listed with the facts that met it
and its source; aggravated circumstances and items that need a person's judgement follow.
The banner never blocks: it makes a suspected crime impossible to miss (以罚代刑).
"""

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.domain.thresholds import RuleHit, ThresholdResult

_STYLE = "#thresholdBanner { background:#fdecea; border:1px solid #e8a29b; }"


class ThresholdBanner(QFrame):
    """A red banner listing the rules met; hidden when none is met."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("thresholdBanner")
        self.setStyleSheet(_STYLE)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        self.heading = QLabel(self)
        self.heading.setWordWrap(True)
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        self.details = QLabel(self)
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.heading)
        layout.addWidget(self.details)
        actions = QHBoxLayout()
        actions.addStretch(1)
        self.close_button = QPushButton(self.tr("Close without transfer (reason required)…"), self)
        self.close_button.setAutoDefault(False)
        self.close_button.hide()
        actions.addWidget(self.close_button)
        layout.addLayout(actions)
        self._close_action: Callable[[], None] | None = None
        self.close_button.clicked.connect(self._close_clicked)
        self.rule_ids: tuple[str, ...] = ()
        self.hide()

    def set_close_action(self, action: Callable[[], None] | None) -> None:
        """Offer "close without transfer" (the action asks for the reason); None removes it."""
        self._close_action = action
        self.close_button.setVisible(action is not None)

    def _close_clicked(self) -> None:
        if self._close_action is not None:
            self._close_action()

    def show_result(self, result: ThresholdResult | None) -> None:
        """Show the rules met by ``result`` (hide when none is met or there is no result)."""
        if result is None or not result.meets_threshold:
            self.rule_ids = ()
            self.hide()
            return
        self.rule_ids = tuple(h.rule.id for h in result.basic)
        offences = "、".join(dict.fromkeys(h.rule.offence for h in result.basic))
        self.heading.setText(
            self.tr(
                "This case appears to meet the criminal prosecution threshold for %1; "
                "consider transferring it to the police."
            ).replace("%1", offences)
        )
        lines: list[str] = []
        for hit in result.basic:
            lines.extend(self._hit_lines(hit))
        if result.aggravated:
            lines.append(self.tr("Aggravated circumstances:"))
            for hit in result.aggravated:
                lines.extend(self._hit_lines(hit))
        if result.judgement:
            lines.append(self.tr("Also for your judgement:"))
            for hit in result.judgement:
                lines.extend(self._hit_lines(hit))
        self.details.setText("\n".join(lines))
        self.show()

    def text(self) -> str:
        """Everything the banner says (for tests and accessibility)."""
        return f"{self.heading.text()}\n{self.details.text()}"

    def _hit_lines(self, hit: RuleHit) -> list[str]:
        rule = hit.rule
        flag = "" if rule.verified else self.tr(" (rule not verified)")
        out = [f"· {rule.offence}（{rule.article}）：{rule.label}{flag}"]
        out.extend(f"    {e.label}：{e.value}" for e in hit.evidence)
        out.append("    " + self.tr("Source: %1").replace("%1", str(rule.source)))
        return out
