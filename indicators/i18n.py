"""User-facing labels in Simplified Chinese (default) and English."""
from __future__ import annotations

from collections.abc import Mapping

from pandas.api.types import is_list_like

from indicators.vocabulary import UNIT_LIST

LANGUAGES = {"zh": "中文", "en": "English"}

LABELS = {
    "app_title": {"zh": "营商环境改革目标追踪", "en": "Business-environment reform tracker"},
    "app_caption": {
        "zh": "从各级政府政策文件中提取的量化承诺：谁承诺了什么、何时完成。",
        "en": "Quantified commitments extracted from government policy documents: who promised what, by when.",
    },
    "language": {"zh": "语言", "en": "Language"},
    "documents": {"zh": "政策文件", "en": "Policy documents"},
    "targets": {"zh": "量化表述", "en": "Quantified statements"},
    "regions": {"zh": "涉及地区", "en": "Regions"},
    "reported_values": {"zh": "报告值", "en": "Reported values"},
    "by_family": {"zh": "按指标类别", "en": "By indicator family"},
    "family": {"zh": "类别", "en": "Family"},
    "kind": {"zh": "类型", "en": "Kind"},
    "count": {"zh": "数量", "en": "Count"},
    "document_list": {"zh": "已收录文件", "en": "Documents loaded"},
    "last_build": {"zh": "最近一次构建", "en": "Last build"},
    "failed_files": {"zh": "未能载入的文件", "en": "Files that failed to load"},
    "no_database": {
        "zh": "还没有数据库。请先运行 `python -m etl build`。",
        "en": "No database yet. Run `python -m etl build` first.",
    },
    "filter_family": {"zh": "筛选类别", "en": "Filter by family"},
    "all": {"zh": "全部", "en": "All"},
    "statements_of_family": {"zh": "该类别的量化表述", "en": "Statements in this family"},
    "processing_time": {"zh": "办理时限", "en": "Processing time"},
    "power_connection": {"zh": "获得电力", "en": "Power connection"},
    "item_count": {"zh": "事项数量", "en": "Item counts"},
    "one_stop_coverage": {"zh": "一网通办覆盖", "en": "One-stop coverage"},
    "other": {"zh": "其他", "en": "Other"},
    "target": {"zh": "目标", "en": "Target"},
    "achieved": {"zh": "已实现", "en": "Achieved"},
}

LABELS.update({
    "page_home": {"zh": "总览", "en": "Overview"},
    "page_compare": {"zh": "地区对比", "en": "Compare regions"},
    "page_region": {"zh": "地区画像", "en": "Region profile"},
    "page_indicator": {"zh": "指标分析", "en": "Indicator"},
    "page_library": {"zh": "目标库", "en": "Target library"},
    "indicator": {"zh": "指标", "en": "Indicator"},
    "scope": {"zh": "范围", "en": "Scope"},
    "any_scope": {"zh": "全部范围", "en": "All scopes"},
    "year": {"zh": "年份", "en": "Year"},
    "region": {"zh": "地区", "en": "Region"},
    "level": {"zh": "层级", "en": "Level"},
    "show_samples": {"zh": "显示示例数据", "en": "Show sample data"},
    "sample_notice": {
        "zh": "图表含示例数据（示例数据），仅供演示，可在侧栏关闭。",
        "en": "Charts include sample data (示例数据) for demonstration; switch it off in the sidebar.",
    },
    "chart_as": {"zh": "图表样式", "en": "Chart style"},
    "bars": {"zh": "柱状", "en": "Bars"},
    "dots": {"zh": "点状", "en": "Dots"},
    "ranking": {"zh": "排名", "en": "Ranking"},
    "map": {"zh": "地图", "en": "Map"},
    "map_level": {"zh": "地图层级", "en": "Map level"},
    "no_data": {"zh": "所选条件下没有数据。", "en": "No data for this selection."},
    "open_profile": {"zh": "点击图表、表格或地图中的地区可打开其画像。", "en": "Click a region on the chart, table or map to open its profile."},
    "download_csv": {"zh": "下载数据（CSV）", "en": "Download data (CSV)"},
    "download_xlsx": {"zh": "下载数据（Excel）", "en": "Download data (Excel)"},
    "download_all": {"zh": "下载全部数据（Excel）", "en": "Download the whole database (Excel)"},
    "status_shares": {"zh": "目标完成情况", "en": "Attainment of targets"},
    "coverage_matrix": {"zh": "地区 × 指标类别：目标数量", "en": "Region × indicator family: number of targets"},
    "latest_uploads": {"zh": "最近上传", "en": "Latest uploads"},
    "no_uploads": {"zh": "暂无上传的进度表。", "en": "No progress sheets uploaded yet."},
    "national_requirement": {"zh": "国家要求", "en": "National requirement"},
    "targets_by_family": {"zh": "各类目标及完成状态", "en": "Targets by family, with status"},
    "tightening": {"zh": "目标如何逐步收紧", "en": "How commitments tightened"},
    "history": {"zh": "报告值与目标", "en": "Reported values against the target"},
    "flags": {"zh": "提示", "en": "Flags"},
    "weaker_flag": {"zh": "弱于国家要求", "en": "Weaker than the national requirement"},
    "overdue_flag": {"zh": "已过期限未完成", "en": "Deadline passed, not met"},
    "no_flags": {"zh": "没有需要提示的目标。", "en": "Nothing to flag."},
    "unreported_flag": {"zh": "期限已过但无报告", "en": "Deadline passed, nothing reported"},
    "flag_counts": {"zh": "{weaker} 项弱于国家要求，{overdue} 项逾期未完成，{unreported} 项期限已过但无报告",
                    "en": "{weaker} weaker than the national requirement, {overdue} overdue, {unreported} past deadline without a report"},
    "composite_scores": {"zh": "综合得分（各指标前沿距离得分的平均）", "en": "Composite scores (mean of distance-to-frontier scores)"},
    "spread": {"zh": "各地目标分布", "en": "Spread of targets"},
    "ambition": {"zh": "目标严格程度与实际进展", "en": "Ambition against attainment"},
    "time_series": {"zh": "历年报告值", "en": "Reported values over time"},
    "scores": {"zh": "得分（前沿距离法，0–100）", "en": "Scores (distance to frontier, 0–100)"},
    "search": {"zh": "搜索原文、范围或文件标题", "en": "Search quotes, scopes or titles"},
    "document": {"zh": "文件", "en": "Document"},
    "quote_in_context": {"zh": "原文出处", "en": "The sentence in its paragraph"},
    "pick_row": {"zh": "选择一行查看原文。", "en": "Select a row to see its sentence."},
    "rows_shown": {"zh": "条记录", "en": "rows"},
    "composite": {"zh": "综合得分", "en": "Composite score"},
    "indicators": {"zh": "指标数", "en": "Indicators"},
    "components": {"zh": "构成", "en": "Components"},
    "source": {"zh": "来源", "en": "Source"},
    "issue_date": {"zh": "发布日期", "en": "Issue date"},
    "document_number": {"zh": "文号", "en": "Document number"},
    "issuer": {"zh": "发文机关", "en": "Issuer"},
})

LABELS.update({
    "page_upload": {"zh": "进度填报", "en": "Progress sheets"},
    "page_submissions": {"zh": "提交记录", "en": "Submissions"},
    "template_heading": {"zh": "1. 下载填报模板", "en": "1. Download a template"},
    "template_regions": {"zh": "地区（可多选）", "en": "Regions (one or more)"},
    "template_period": {"zh": "期间", "en": "Period"},
    "quarter": {"zh": "季度", "en": "Quarter"},
    "whole_year": {"zh": "全年", "en": "Whole year"},
    "template_download": {"zh": "下载模板（Excel）", "en": "Download template (Excel)"},
    "template_rows": {"zh": "模板含 {rows} 行（每个有目标的指标一行）", "en": "The template has {rows} rows (one per indicator with a target)"},
    "template_empty": {"zh": "所选地区暂无目标，无法生成模板。", "en": "The chosen regions have no targets yet."},
    "upload_heading": {"zh": "2. 上传填好的进度表", "en": "2. Upload the filled-in sheet"},
    "upload_file": {"zh": "选择文件（.xlsx、.xlsm 或 .csv，不超过 {megabytes} MB）",
                    "en": "Choose a file (.xlsx, .xlsm or .csv, at most {megabytes} MB)"},
    "upload_stored": {"zh": "已保存：提交编号 {id}，{rows} 行，替换了 {replaced} 个旧值。",
                      "en": "Stored: submission {id}, {rows} rows, {replaced} earlier values replaced."},
    "upload_refused": {"zh": "未保存：发现 {errors} 个问题，请修改后重新上传（数据库未作任何改动）。",
                       "en": "Not stored: {errors} problems found; fix them and upload again (nothing was changed)."},
    "upload_warnings": {"zh": "提示（不影响保存）", "en": "Warnings (do not block)"},
    "upload_errors": {"zh": "问题", "en": "Problems"},
    "annotated_download": {"zh": "下载标注问题的工作簿", "en": "Download the workbook with problems marked"},
    "see_compare": {"zh": "到地区对比页查看", "en": "See them on the compare page"},
    "no_submissions": {"zh": "暂无提交记录。", "en": "No submissions yet."},
    "submission_changes": {"zh": "本次提交的内容及其替换的旧值", "en": "What this submission changed"},
    "withdraw": {"zh": "撤回此提交", "en": "Withdraw this submission"},
    "withdraw_confirm": {"zh": "确认撤回（被替换的旧值将恢复）", "en": "Confirm (the values it replaced come back)"},
    "withdrawn_done": {"zh": "已撤回，恢复了 {restored} 个旧值。", "en": "Withdrawn; {restored} earlier values came back."},
    "pick_submission": {"zh": "选择一条提交查看其内容。", "en": "Select a submission to see what it changed."},
})

LABELS.update({
    # Sign-in and roles.
    "page_sign_in": {"zh": "登录", "en": "Sign in"},
    "page_account": {"zh": "我的账户", "en": "My account"},
    "page_users": {"zh": "用户管理", "en": "Users"},
    "page_audit": {"zh": "审计记录", "en": "Audit trail"},
    "page_maintenance": {"zh": "目标维护", "en": "Target maintenance"},
    "signed_in_as": {"zh": "当前用户：{user}（{role}）", "en": "Signed in as {user} ({role})"},
    "not_signed_in": {"zh": "未登录（只读浏览）", "en": "Not signed in (read only)"},
    "sign_in": {"zh": "登录", "en": "Sign in"},
    "sign_out": {"zh": "退出登录", "en": "Sign out"},
    "sign_in_needed": {"zh": "请先登录。", "en": "Please sign in first."},
    "not_permitted": {"zh": "您的角色（{role}）无权打开此页面。", "en": "Your role ({role}) may not open this page."},
    "session_expired": {"zh": "会话已过期，请重新登录。", "en": "Your session expired; please sign in again."},
    "user_name": {"zh": "用户名", "en": "User name"},
    "password": {"zh": "密码", "en": "Password"},
    "no_admin_yet": {
        "zh": "尚无管理员。请在服务器上运行 `python -m etl create-admin 用户名` 创建第一位管理员。",
        "en": "There is no admin yet. Run `python -m etl create-admin NAME` on the server to create the first one.",
    },
    "oidc_explained": {"zh": "通过单位的统一身份认证（OpenID Connect）登录。",
                       "en": "Sign in through your organisation's identity provider (OpenID Connect)."},
    "oidc_unusable": {"zh": "身份提供方没有给出已验证的电子邮箱，无法确认您的身份。请退出后换用单位账户登录，或联系管理员。",
                      "en": "The identity provider gave no verified e-mail address, so you cannot be identified here. Sign out and use your organisation's account, or ask an admin."},
    "sign_in_with_provider": {"zh": "使用统一身份认证登录", "en": "Sign in with the identity provider"},
    "header_explained": {"zh": "本站由内网网关认证身份；网关未提供您的身份，请通过单位内网访问。",
                         "en": "The intranet gateway vouches for identities here, and it sent none: open the app through it."},
    "assigned_regions": {"zh": "负责地区", "en": "Assigned regions"},
    "change_password": {"zh": "修改密码", "en": "Change password"},
    "current_password": {"zh": "原密码", "en": "Current password"},
    "new_password": {"zh": "新密码", "en": "New password"},
    "new_password_again": {"zh": "再次输入新密码", "en": "New password again"},
    "passwords_differ": {"zh": "两次输入的新密码不一致。", "en": "The two new passwords differ."},
    "password_changed": {"zh": "密码已修改。", "en": "Password changed."},
    "uploading_as": {"zh": "以 {user} 身份上传；可填报地区：{regions}。", "en": "Uploading as {user}; regions you may report for: {regions}."},
    "withdraw_reason": {"zh": "撤回原因（记入审计记录）", "en": "Reason (kept in the audit trail)"},
    "withdraw_outside_regions": {"zh": "此提交含有您负责地区以外的数据，只有管理员可以撤回。",
                                 "en": "This submission has rows outside your regions; only an admin can withdraw it."},
    "database_busy": {"zh": "数据库正被另一写入操作（如重建）占用，未作改动，请稍后再试。",
                      "en": "The database is busy with another write (a rebuild, say); nothing changed: try again in a while."},
    "no_active_submission": {"zh": "该提交已撤回或不存在。", "en": "That submission is already withdrawn or does not exist."},
    # Users page.
    "add_user": {"zh": "新增用户", "en": "Add a user"},
    "edit_user": {"zh": "修改用户", "en": "Edit a user"},
    "display_name": {"zh": "姓名", "en": "Display name"},
    "role": {"zh": "角色", "en": "Role"},
    "active": {"zh": "启用", "en": "Active"},
    "with_subregions": {"zh": "包括下辖市县", "en": "Including the cities and counties below"},
    "initial_password": {"zh": "初始密码（至少 10 个字符）", "en": "Initial password (10 characters or more)"},
    "external_user_name_help": {"zh": "统一身份认证的电子邮箱，或网关传来的用户名",
                                "en": "The e-mail the identity provider gives, or the name the gateway sends"},
    "user_added": {"zh": "已新增用户 {user}。", "en": "User {user} added."},
    "save_user": {"zh": "保存", "en": "Save"},
    "user_saved": {"zh": "已保存用户 {user}。", "en": "User {user} saved."},
    "unlock": {"zh": "解除锁定", "en": "Unlock"},
    "user_unlocked": {"zh": "已解除 {user} 的锁定。", "en": "{user} unlocked."},
    "reset_password": {"zh": "重设密码", "en": "Reset password"},
    "password_reset_done": {"zh": "已重设 {user} 的密码。", "en": "Password of {user} reset."},
    # Audit page.
    "audit_chain_intact": {"zh": "审计链完整：没有记录被改动或删除。", "en": "The audit chain is intact: no entry was edited or removed."},
    "audit_chain_broken": {"zh": "审计链在序号 {sequences} 处断开：有记录被改动或删除。",
                           "en": "The audit chain breaks at {sequences}: entries were edited or removed."},
    "audit_action": {"zh": "操作", "en": "Action"},
    "audit_actor": {"zh": "操作人（包含）", "en": "Actor (contains)"},
    "since": {"zh": "起始日期", "en": "From"},
    "until": {"zh": "截止日期", "en": "To"},
    "audit_count": {"zh": "显示 {rows} 条（共 {total} 条，最新的在前；下载文件含全部符合条件的记录）",
                    "en": "{rows} shown of {total}, newest first; the downloads hold every matching entry"},
    # Maintenance page.
    "corrections": {"zh": "提取更正", "en": "Extraction corrections"},
    "corrections_explained": {
        "zh": "更正在下次重建时生效。data/corrections.yml 中另有 {file_count} 条随代码发布的更正；此处新增的更正优先。",
        "en": "Corrections apply from the next rebuild. data/corrections.yml holds {file_count} more, shipped with the code; those made here win.",
    },
    "target_id": {"zh": "表述编号（在目标库选中一条表述，点“更正此表述”即可带入）",
                  "en": "Statement id (pick a statement in the library and follow “Correct this statement”)"},
    "choose": {"zh": "请选择", "en": "Choose"},
    "no_such_statement": {"zh": "没有这个编号的表述。", "en": "No statement has this id."},
    "correction_action": {"zh": "更正方式", "en": "Correction"},
    "correct_statement": {"zh": "更正此表述", "en": "Correct this statement"},
    "correction_override": {"zh": "修改字段", "en": "Change fields"},
    "correction_drop": {"zh": "删除此表述", "en": "Drop the statement"},
    "year_none_help": {"zh": "填 none 表示没有期限", "en": "Write none for no deadline"},
    "correction_reason": {"zh": "原因（必填）", "en": "Reason (required)"},
    "add_correction": {"zh": "保存更正", "en": "Save the correction"},
    "correction_added": {"zh": "更正已保存，将在下次重建时生效。", "en": "Correction saved; it applies from the next rebuild."},
    "retract_correction": {"zh": "撤销更正", "en": "Retract a correction"},
    "correction_retracted": {"zh": "更正已撤销，将在下次重建时生效。", "en": "Correction retracted; this applies from the next rebuild."},
    "rebuild": {"zh": "重建目标", "en": "Rebuild the targets"},
    "rebuild_explained": {
        "zh": "从 data/policies 重新提取全部目标并应用所有更正；上传的报告值不受影响。重建失败时数据库保持原样。",
        "en": "Re-extracts every target from data/policies with every correction; uploaded values are untouched. A failed rebuild changes nothing.",
    },
    "allow_shrink": {"zh": "允许目标数量减半以上（仅在确属预期时勾选）", "en": "Allow losing more than half the targets (only when expected)"},
    "rebuilding": {"zh": "正在重建……", "en": "Rebuilding…"},
    "rebuilt": {"zh": "已重建：{documents} 份文件，{targets} 个目标，{failures} 个文件未能载入。",
                "en": "Rebuilt: {documents} documents, {targets} targets, {failures} files failed to load."},
})

ROLE_LABELS = {
    "viewer": {"zh": "查看者", "en": "Viewer"},
    "evaluator": {"zh": "评估填报员", "en": "Evaluator"},
    "admin": {"zh": "管理员", "en": "Admin"},
    None: {"zh": "访客", "en": "Visitor"},
}

SIGN_IN_METHOD_LABELS = {
    "accounts": {"zh": "内置账户", "en": "Built-in account"},
    "oidc": {"zh": "OpenID", "en": "OpenID"},
    "header": {"zh": "代理请求头", "en": "Proxy header"},
    "cli": {"zh": "命令行", "en": "Command line"},
    "anonymous": {"zh": "未登录", "en": "Not signed in"},
}
# A user's regions when none are stored: admins act everywhere, anyone else nowhere.
NO_REGIONS_LABELS = {"admin": {"zh": "全部地区", "en": "All regions"},
                     None: {"zh": "未分配", "en": "None assigned"}}

ACTION_LABELS = {
    "upload": {"zh": "上传进度表", "en": "Upload"},
    "upload_refused": {"zh": "上传被拒", "en": "Upload refused"},
    "withdrawal": {"zh": "撤回提交", "en": "Withdrawal"},
    "rebuild": {"zh": "重建目标", "en": "Rebuild"},
    "rebuild_refused": {"zh": "重建被拒", "en": "Rebuild refused"},
    "correction_added": {"zh": "新增更正", "en": "Correction added"},
    "correction_retracted": {"zh": "撤销更正", "en": "Correction retracted"},
    "user_created": {"zh": "新增用户", "en": "User created"},
    "user_changed": {"zh": "修改用户", "en": "User changed"},
    "password_changed": {"zh": "修改密码", "en": "Password changed"},
    "password_reset": {"zh": "重设密码", "en": "Password reset"},
    "account_unlocked": {"zh": "解除锁定", "en": "Account unlocked"},
    "account_locked": {"zh": "账户锁定", "en": "Account locked"},
    "sign_in": {"zh": "登录", "en": "Sign-in"},
    "sign_in_failed": {"zh": "登录失败", "en": "Failed sign-in"},
    "sign_out": {"zh": "退出登录", "en": "Sign-out"},
}

STATUS_LABELS = {
    "met": {"zh": "已完成", "en": "Met"},
    "not_met": {"zh": "未完成", "en": "Not met"},
    "not_yet_due": {"zh": "未到期", "en": "Not yet due"},
    "overdue": {"zh": "逾期未完成", "en": "Overdue"},
    "no_report": {"zh": "无报告", "en": "No report"},
    "unit_mismatch": {"zh": "单位不可比", "en": "Unit mismatch"},
    "no_target": {"zh": "无本地目标", "en": "No own target"},
    # Submissions and their rows.
    "active": {"zh": "有效", "en": "Active"},
    "withdrawn": {"zh": "已撤回", "en": "Withdrawn"},
    "current": {"zh": "现行", "en": "In force"},
    "superseded": {"zh": "已被替换", "en": "Superseded"},
}

COLUMN_LABELS = {
    "region": {"zh": "地区", "en": "Region"},
    "level": {"zh": "层级", "en": "Level"},
    "category": {"zh": "类别", "en": "Family"},
    "indicator": {"zh": "指标", "en": "Indicator"},
    "scope": {"zh": "范围", "en": "Scope"},
    "value": {"zh": "数值", "en": "Value"},
    "value_max": {"zh": "上限", "en": "Upper bound"},
    "unit": {"zh": "单位", "en": "Unit"},
    "comparator": {"zh": "比较", "en": "Comparator"},
    "baseline": {"zh": "基线", "en": "Baseline"},
    "year": {"zh": "年份", "en": "Year"},
    "kind": {"zh": "类型", "en": "Kind"},
    "quote": {"zh": "原文", "en": "Quote"},
    "title": {"zh": "文件标题", "en": "Document title"},
    "document_number": {"zh": "文号", "en": "Document number"},
    "doc": {"zh": "文件", "en": "File"},
    "line": {"zh": "行", "en": "Line"},
    "issuer": {"zh": "发文机关", "en": "Issuer"},
    "issue_date": {"zh": "发布日期", "en": "Issue date"},
    "targets": {"zh": "量化表述", "en": "Statements"},
    "file_name": {"zh": "文件", "en": "File"},
    "reason": {"zh": "原因", "en": "Reason"},
    "region_code": {"zh": "地区代码", "en": "Region code"},
    "reported": {"zh": "报告值", "en": "Reported"},
    "reported_unit": {"zh": "报告单位", "en": "Reported unit"},
    "period": {"zh": "期间", "en": "Period"},
    "origin": {"zh": "数据来源类型", "en": "Origin"},
    "report_source": {"zh": "报告来源", "en": "Report source"},
    "target": {"zh": "目标值", "en": "Target"},
    "target_max": {"zh": "目标上限", "en": "Target upper bound"},
    "target_unit": {"zh": "目标单位", "en": "Target unit"},
    "target_year": {"zh": "目标年份", "en": "Target year"},
    "target_scope": {"zh": "目标范围", "en": "Target scope"},
    "target_quote": {"zh": "目标原文", "en": "Target quote"},
    "target_document": {"zh": "目标文件", "en": "Target document"},
    "status": {"zh": "状态", "en": "Status"},
    "shortfall": {"zh": "差距", "en": "Shortfall"},
    "score": {"zh": "得分", "en": "Score"},
    "rank": {"zh": "排名", "en": "Rank"},
    "ambition": {"zh": "目标严格程度", "en": "Ambition"},
    "attainment": {"zh": "实际进展", "en": "Attainment"},
    "national_value": {"zh": "国家要求", "en": "National requirement"},
    "composite": {"zh": "综合得分", "en": "Composite score"},
    "indicators": {"zh": "指标数", "en": "Indicators"},
    "components": {"zh": "各指标得分", "en": "Indicator scores"},
    "sheet": {"zh": "工作表", "en": "Sheet"},
    "cell": {"zh": "单元格", "en": "Cell"},
    "message": {"zh": "说明", "en": "Message"},
    "uploaded_by": {"zh": "填报人", "en": "Submitted by"},
    "uploaded_at": {"zh": "上传时间", "en": "Uploaded at"},
    "row_count": {"zh": "行数", "en": "Rows"},
    "current_values": {"zh": "现行值", "en": "Values in force"},
    "replaced_values": {"zh": "替换旧值", "en": "Values replaced"},
    "previous_value": {"zh": "原值", "en": "Previous value"},
    "state": {"zh": "状态", "en": "State"},
    "withdrawn_at": {"zh": "撤回时间", "en": "Withdrawn at"},
    "withdrawn_by": {"zh": "撤回人", "en": "Withdrawn by"},
    "submission_id": {"zh": "提交编号", "en": "Submission"},
    "file_sha256": {"zh": "SHA-256", "en": "SHA-256"},
    # Users, audit and corrections.
    "user_name": {"zh": "用户名", "en": "User name"},
    "display_name": {"zh": "姓名", "en": "Display name"},
    "role": {"zh": "角色", "en": "Role"},
    "active": {"zh": "启用", "en": "Active"},
    "has_password": {"zh": "内置密码", "en": "Built-in password"},
    "failed_sign_ins": {"zh": "连续失败次数", "en": "Failures in a row"},
    "locked_until": {"zh": "锁定至（UTC）", "en": "Locked until (UTC)"},
    "created_at": {"zh": "创建时间", "en": "Created at"},
    "created_by": {"zh": "创建人", "en": "Created by"},
    "password_changed_at": {"zh": "密码修改时间", "en": "Password changed at"},
    "regions": {"zh": "负责地区（+ 含下辖）", "en": "Regions (+ with those below)"},
    "sequence": {"zh": "序号", "en": "No."},
    "occurred_at": {"zh": "时间（UTC）", "en": "Time (UTC)"},
    "actor": {"zh": "操作人", "en": "Actor"},
    "actor_role": {"zh": "角色", "en": "Role"},
    "sign_in_method": {"zh": "登录方式", "en": "Sign-in method"},
    "action": {"zh": "操作", "en": "Action"},
    "object_id": {"zh": "对象", "en": "Object"},
    "detail": {"zh": "详情", "en": "Detail"},
    "stored_path": {"zh": "存档位置", "en": "Kept at"},
    "entry_hash": {"zh": "记录哈希", "en": "Entry hash"},
    "correction_id": {"zh": "更正编号", "en": "Correction"},
    "changes": {"zh": "修改内容", "en": "Changes"},
    "retracted_by": {"zh": "撤销人", "en": "Retracted by"},
    "retracted_at": {"zh": "撤销时间", "en": "Retracted at"},
}

COMPARATOR_LABELS = {
    "<=": {"zh": "≤", "en": "≤"},
    ">=": {"zh": "≥", "en": "≥"},
    "=": {"zh": "=", "en": "="},
    "reduce_by": {"zh": "压减", "en": "cut by"},
    "increase_by": {"zh": "提高", "en": "raise by"},
}

ORIGIN_LABELS = {
    "document": {"zh": "文件表述", "en": "Stated in a document"},
    "sample": {"zh": "示例数据", "en": "Sample data (示例数据)"},
    "submission": {"zh": "上报", "en": "Submitted"},
}


LEVELS = {
    "national": {"zh": "全国", "en": "National"},
    "province": {"zh": "省级", "en": "Province"},
    "prefecture": {"zh": "地市级", "en": "Prefecture"},
    "county": {"zh": "县级", "en": "County"},
}
UNIT_LABELS = {unit.code: {"zh": unit.label_zh, "en": unit.label_en} for unit in UNIT_LIST}


def unit_label(unit: str, language: str) -> str:
    return UNIT_LABELS.get(unit, {"zh": unit, "en": unit})[language]


def localized_table(frame, language: str):
    """Status, origin, level and unit codes shown as words in `language`, columns renamed."""
    shown = frame.copy()
    for column, names in (("status", STATUS_LABELS), ("state", STATUS_LABELS), ("origin", ORIGIN_LABELS),
                          ("level", LEVELS), ("comparator", COMPARATOR_LABELS), ("role", ROLE_LABELS),
                          ("actor_role", ROLE_LABELS), ("sign_in_method", SIGN_IN_METHOD_LABELS)):
        if column in shown:
            shown[column] = shown[column].map(lambda code, names=names: names[code][language] if code in names else code)
    for column in ("unit", "reported_unit", "target_unit"):
        if column in shown:
            shown[column] = shown[column].map(lambda code: unit_label(code, language) if isinstance(code, str) else code)
    return shown.rename(columns=column_labels(shown.columns, language))


# Columns that name a region, each with the column that holds the code of the region it names.
REGION_NAME_COLUMNS = {"region": "region_code", "name": "region_code", "parent": "parent_code"}


def localized_regions(frame, names: Mapping[str, str]):
    """`frame` with the regions it names (`region`, a region list's `name`, a `parent`) named by code as `names` has
    them: the English names in the English interface, nothing in Chinese. A region `names` lacks (a county) keeps
    the name it has."""
    if not names:
        return frame
    shown = frame.copy()
    for name_column, code_column in REGION_NAME_COLUMNS.items():
        if name_column in shown and code_column in shown:
            shown[name_column] = [names.get(code, name) for code, name in zip(shown[code_column], shown[name_column])]
    return shown


def region_choice_labels(regions, language: str) -> dict[str, str]:
    """Code → how a picker shows the region: 青海省（省级）, Qinghai (Province), 朝阳区（县级，北京市）.

    `regions` has `region_code`, `name`, `level` and optionally `parent`, already named in `language`.
    """
    parents = regions["parent"] if "parent" in regions else [""] * len(regions)
    opening, separator, closing = ("（", "，", "）") if language == "zh" else (" (", ", ", ")")
    return {code: f"{name}{opening}{LEVELS[level][language]}{separator + parent if parent else ''}{closing}"
            for code, name, level, parent in zip(regions["region_code"], regions["name"], regions["level"], parents)}


def localized_users(users, language: str, region_names: Mapping[str, str] | None = None):
    """The users table in `language`: each user's regions in words (青海省+ for a region with those below it, named
    by code through `region_names` where it has them), and 全部地区 (admins) or 未分配 for a user without any."""
    names = region_names or {}
    separator = "、" if language == "zh" else ", "
    regions = [
        separator.join(f"{names.get(code, name)}{'+' if below else ''}" for code, name, below in zip(codes, named, extents))
        if is_list_like(codes) else NO_REGIONS_LABELS.get(role, NO_REGIONS_LABELS[None])[language]
        for codes, named, extents, role in zip(users["region_codes"], users["region_names"], users["with_subregions"],
                                               users["role"])
    ]
    shown = users.drop(columns=["region_codes", "region_names", "with_subregions"]).assign(regions=regions)
    return localized_table(shown, language)


def localized_targets(frame, language: str):
    """Codes in a targets table replaced by labels in `language`, columns renamed for display; the region's code
    is left out, its name standing for it."""
    shown = frame.drop(columns=["region_code"], errors="ignore")
    shown["indicator"] = shown.pop(f"indicator_{language}")
    shown = shown.drop(columns=[column for column in shown.columns if column.startswith("indicator_")])
    shown["level"] = shown["level"].map(lambda code: LEVELS[code][language])
    shown["category"] = shown["category"].map(lambda code: LABELS[code][language])
    shown["kind"] = shown["kind"].map(lambda code: LABELS[code][language])
    shown["unit"] = shown["unit"].map(lambda code: UNIT_LABELS[code][language])
    return shown.rename(columns=column_labels(shown.columns, language))


def label(key: str, language: str) -> str:
    return LABELS[key][language]


def column_labels(columns, language: str) -> dict[str, str]:
    return {column: COLUMN_LABELS[column][language] for column in columns if column in COLUMN_LABELS}
