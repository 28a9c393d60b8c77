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
area: str = "cam-xuyen-town"  # area slug or name, e.g. cam-binh-commune, "Xã Cẩm Bình"
data_dir: str = "../data"  # folder holding raw/ and processed/
lang: str = "vi"  # vi or en: language of the generated text and charts

# %%
from kpi.notebook import open_report

report = open_report(data_dir, area, quarter, lang)
report.title()

# %% [markdown]
# Báo cáo quý của địa bàn: mỗi lĩnh vực một dòng (câu tóm tắt đầu tiên và số vấn đề dữ liệu),
# với liên kết đến báo cáo chi tiết.
#
# *The area's quarterly report: one line per domain (its lead sentence and its count of
# data-quality findings), with links to the detailed reports.*

# %% [markdown]
# ## Các lĩnh vực / Domains

# %%
# NBVAL_CHECK_OUTPUT
report.overview()

# %% [markdown]
# Báo cáo chi tiết / Detailed reports:
# [Thu, chi ngân sách](revenue.ipynb) ·
# [Tiêm chủng](vaccination.ipynb) ·
# [An sinh xã hội](welfare.ipynb) ·
# [Đô thị, xây dựng](urban_works.ipynb)

# %% [markdown]
# ## Chất lượng dữ liệu / Data quality

# %%
report.findings()
