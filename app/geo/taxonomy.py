"""Fixed vocabularies: technology readiness levels and the legal transfer modes."""

from __future__ import annotations

import enum
from typing import Final


class TransferMode(enum.StrEnum):
    """How a result changes hands (促进科技成果转化法 Art. 16; Civil Code Art. 843/851)."""

    assignment = "assignment"
    license = "license"
    equity = "equity"
    co_development = "co_development"


TRANSFER_MODE_NAMES: Final[dict[TransferMode, tuple[str, str, str]]] = {
    TransferMode.assignment: ("转让", "Assignment", "促进科技成果转化法 第十六条 向他人转让"),
    TransferMode.license: ("许可", "Licence", "促进科技成果转化法 第十六条 许可他人使用"),
    TransferMode.equity: (
        "作价投资",
        "Equity contribution",
        "促进科技成果转化法 第十六条 作价投资",
    ),
    TransferMode.co_development: (
        "合作开发/合作实施",
        "Co-development",
        "促进科技成果转化法 第十六条 以成果为合作条件共同实施；民法典 第八百五十一条 合作开发",
    ),
}

TRL_MIN: Final = 1
TRL_MAX: Final = 9

# DoD wording (gba.md §5, source [74]); the Chinese labels follow GB/T 22900's appendix in spirit.
TRL_LEVELS: Final[dict[int, tuple[str, str]]] = {
    1: ("发现基本原理", "Basic principles observed"),
    2: ("形成技术概念", "Technology concept formulated"),
    3: ("关键功能概念验证", "Experimental proof of concept"),
    4: ("实验室环境验证", "Technology validated in the lab"),
    5: ("相关环境验证", "Technology validated in a relevant environment"),
    6: ("原型相关环境演示", "Prototype demonstrated in a relevant environment"),
    7: ("实际环境原型演示", "Prototype demonstrated in an operational environment"),
    8: ("系统完成并定型", "System complete and qualified"),
    9: ("实际运行验证", "System proven in operation"),
}
