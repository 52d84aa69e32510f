"""A small bar chart drawn with QPainter (PySide6-Essentials ships no QtCharts).

One or more series of whole numbers over the same categories, drawn as grouped vertical bars
with a light grid, the category labels below and a legend above. The chart only draws: the
view hands it plain data with :meth:`BarChart.set_data`.
"""

from dataclasses import dataclass

from PySide6.QtCore import QLineF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

PALETTE = ("#3b6ea8", "#d08a2c", "#5b9a68", "#b5524c")


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[int, ...]


def nice_ceiling(value: int) -> int:
    """The smallest 1, 2 or 5 times a power of ten that is at least ``value`` (>= 1)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


class BarChart(QWidget):
    """Grouped vertical bars with their values printed on top; the tooltip lists every value."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.categories: tuple[str, ...] = ()
        self.series: tuple[Series, ...] = ()
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(180)

    def sizeHint(self) -> QSize:
        return QSize(420, 220)

    def set_data(self, categories: list[str], series: list[Series]) -> None:
        for s in series:
            if len(s.values) != len(categories):
                raise ValueError(f"series {s.name!r} has {len(s.values)} values")
        self.categories = tuple(categories)
        self.series = tuple(series)
        self.setToolTip(self._summary())
        self.update()

    def maximum(self) -> int:
        return max((v for s in self.series for v in s.values), default=0)

    def _summary(self) -> str:
        lines = [self.title]
        for n, category in enumerate(self.categories):
            values = "，".join(f"{s.name} {s.values[n]}" for s in self.series)
            lines.append(f"{category}：{values}")
        return "\n".join(lines)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            self._paint(painter)
        finally:
            painter.end()

    def _paint(self, painter: QPainter) -> None:
        palette = self.palette()
        text = palette.windowText().color()
        metrics = self.fontMetrics()
        line = metrics.height()
        area = QRectF(self.rect()).adjusted(8, 4, -8, -4)
        painter.setPen(text)
        painter.drawText(
            QRectF(area.left(), area.top(), area.width(), line),
            Qt.AlignmentFlag.AlignLeft,
            self.title,
        )
        # legend, right-aligned on the title line
        x = area.right()
        for n in reversed(range(len(self.series))):
            name = self.series[n].name
            width = metrics.horizontalAdvance(name)
            x -= width
            painter.setPen(text)
            painter.drawText(QRectF(x, area.top(), width, line), Qt.AlignmentFlag.AlignLeft, name)
            x -= line * 0.8
            painter.fillRect(
                QRectF(x, area.top() + line * 0.2, line * 0.6, line * 0.6),
                QColor(PALETTE[n % len(PALETTE)]),
            )
            x -= line * 0.8
        if not self.categories or not self.series:
            painter.setPen(palette.placeholderText().color())
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter, "—")
            return
        step = nice_ceiling(max(1, -(-self.maximum() // 4)))  # four grid steps of 1, 2 or 5 x 10^k
        top = 4 * step
        axis_width = metrics.horizontalAdvance(str(top)) + 6
        plot = QRectF(
            area.left() + axis_width,
            area.top() + line * 1.6,
            area.width() - axis_width,
            area.height() - line * 3.0,
        )
        grid = QColor(text)
        grid.setAlpha(40)
        for k in range(5):
            y = plot.bottom() - plot.height() * k / 4
            painter.setPen(QPen(grid, 1))
            painter.drawLine(QLineF(plot.left(), y, plot.right(), y))
            painter.setPen(text)
            painter.drawText(
                QRectF(area.left(), y - line / 2, axis_width - 4, line),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                str(step * k),
            )
        slot = plot.width() / len(self.categories)
        bar = max(1.0, slot * 0.8 / len(self.series))
        every = max(1, int((metrics.horizontalAdvance("0000-00") + 8) // max(slot, 1)) + 1)
        for n, category in enumerate(self.categories):
            left = plot.left() + slot * n + slot * 0.1
            for k, s in enumerate(self.series):
                value = s.values[n]
                height = plot.height() * value / top
                rect = QRectF(left + bar * k, plot.bottom() - height, bar - 1, height)
                painter.fillRect(rect, QColor(PALETTE[k % len(PALETTE)]))
                if value and bar >= metrics.horizontalAdvance(str(value)):
                    painter.setPen(text)
                    painter.drawText(
                        QRectF(rect.left(), rect.top() - line, bar, line),
                        Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
                        str(value),
                    )
            if n % every == 0:
                painter.setPen(text)
                painter.drawText(
                    QRectF(plot.left() + slot * n - slot, plot.bottom() + 2, slot * 3, line),
                    Qt.AlignmentFlag.AlignHCenter,
                    category,
                )
