# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,-all
#     formats: ipynb,py:percent
#     notebook_metadata_filter: -jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python (kpi)
#     language: python
#     name: kpi
# ---

# %% tags=["parameters"]
quarter: str = "2022Q1"  # quarter to report, e.g. 2022Q1 (also "Quý I/2022")
area: str = "Huyện Cẩm Xuyên"  # a district, one of its communes, a province, or "" for all
data_dir: str = "../../data"  # folder holding raw/ and processed/
lang: str = "vi"  # vi or en

# %%
from kpi.notebook.district import open_district

view = open_district(data_dir, area, quarter, lang)
view.title()

# %% [markdown]
# Xếp hạng các xã, phường, thị trấn của huyện (hoặc của tỉnh) theo chỉ tiêu chính của từng
# lĩnh vực. Sổ này không thuộc lần chạy hằng quý (`kpi run` chỉ chạy các sổ trong
# `notebooks/`); mở trong JupyterLab và đổi tham số ở ô đầu.
#
# *The communes of a district (or a province) ranked on each domain's headline indicator.
# Not part of the quarterly run; open it in JupyterLab and change the first cell.*

# %% [markdown]
# ## Bảng xếp hạng / Ranks
#
# Giá trị trong quý và thứ hạng (tốt nhất là 1). *Value in the quarter and rank (1 = best).*

# %%
view.table()

# %% [markdown]
# ## Biểu đồ / Charts

# %%
view.charts()
