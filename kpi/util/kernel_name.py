"""The project's Jupyter kernel: the report notebooks name it, ``kpi run`` starts it.

``scripts/install.sh`` registers it in the virtual environment (``python -m ipykernel
install --sys-prefix --name kpi --display-name "Python (kpi)"``), so JupyterLab offers
"Python (kpi)" and a notebook opened there runs with the interpreter that has ``kpi``
installed, whatever other Python kernels the machine has.
"""

from __future__ import annotations

from typing import Final

#: Kernelspec name (``metadata.kernelspec.name`` of the notebooks).
KERNEL_NAME: Final = "kpi"
#: What JupyterLab shows for it.
KERNEL_DISPLAY_NAME: Final = "Python (kpi)"
