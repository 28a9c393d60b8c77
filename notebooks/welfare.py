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

report = open_report(data_dir, area, quarter, lang, domain="welfare")
report.title()

# %% [markdown]
# Quà tặng, trợ cấp, vốn vay và hồ sơ chính sách của địa bàn trong quý.
#
# *Gifts, allowances, loans and welfare dossiers in the area this quarter.*
#
# Các số liệu và câu chữ dưới đây do gói `kpi` tính từ bảng quan sát
# (`data/processed/observations.parquet`); sổ này chỉ gọi `kpi` và hiển thị kết quả.
# *Every figure and sentence below is computed by the `kpi` package; this notebook only
# calls it and shows the result.*

# %% [markdown]
# ## Số liệu chính / Headline figures
#
# Giá trị trong quý, thay đổi so với quý trước và cùng kỳ năm trước, % kế hoạch năm;
# "gần", "hơn", "ước" là cách báo cáo nêu số. *Value, change on the previous quarter and on
# the same quarter a year before, % of the annual plan; qualifiers as the report words them.*

# %%
# NBVAL_CHECK_OUTPUT
report.headline()

# %% [markdown]
# ## Nhận xét / Summary

# %%
report.narrative()

# %% [markdown]
# ## Mục tiêu / Targets
# Các con số báo cáo cam kết cho kỳ sau (phấn đấu, chỉ tiêu năm tới ...): không phải kết quả
# đã đạt, không có trong các bảng và biểu đồ trên; với mục tiêu của năm, lũy kế so với mục
# tiêu. *Figures the reports commit to for a later period: not achieved figures, and not in
# the tables and charts above; for a year's target, the year to date against it.*

# %%
report.targets()

# %% [markdown]
# ## Diễn biến 8 quý / Eight quarters
#
# Cột đậm là quý báo cáo. *The dark bar is the quarter reported.*

# %%
report.trends()

# %% [markdown]
# ## So với quý trước / Change on the previous quarter
#
# Xanh: thay đổi theo hướng tốt; đỏ: theo hướng xấu; xám: không đánh giá.
# *Green: a change for the better; red: for the worse; grey: neutral.*

# %%
report.qoq_bars()

# %% [markdown]
# ## So sánh các địa bàn cùng cấp / Areas of the same level

# %%
report.ranking()

# %% [markdown]
# ## Chất lượng dữ liệu / Data quality
#
# Số liệu vênh nhau giữa các nguồn, quy tắc kiểm tra bị vi phạm, số liệu chưa gán chỉ tiêu.
# *Figures that disagree, broken consistency rules, figures not assigned to an indicator.*

# %%
report.findings()

# %% [markdown]
# ## Nguồn số liệu / Sources
#
# Tệp, vị trí (dòng:cột hoặc hàng, cột) và trích dẫn của từng số đã dùng.
# *File, location and quoted text of every figure used.*

# %%
report.sources()
