"""Error codes of the service app: stable values (API clients match on them), one code per meaning.

Kept by the error-code codemod (issue 14): a new code is a new member here, never a bare string.
"""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    ALREADY_ANSWERED = "service_already_answered"  # … 已答复
    ALREADY_LINKED = "service_already_linked"  # … 已转稽核
    EMPTY_ANSWERS = "empty_answers"  # 请至少回答一道满意度评分题
    EXTENSION_TWICE = "service_extension_twice"  # … 已延期一次，不能再延期
    INVALID_QUESTIONS = "invalid_questions"  # 请至少填写一道题目
    NOT_ASSIGNEE = "service_not_assignee"  # … 由…承办
    NOT_OWNER = "service_not_owner"  # 首问负责: only the first responder answers
    NOT_RATABLE = "service_not_ratable"  # 只有反映人本人可以评价
    NOT_RESPONDENT = "service_not_respondent"  # 只能填写本人的问卷
    NOT_TIPOFF = "service_not_tipoff"  # 该举报未涉及医疗机构，不能转现场巡查
    SELF_APPROVAL = "service_template_self_approval"  # 短信模板须由管理岗审核
    SURVEY_STATE = "service_survey_state"  # 调查已结束
    TEMPLATE_NOT_APPROVED = "service_template_not_approved"  # 请选择已审核的短信模板
    UNKNOWN_ASSIGNEE = "service_unknown_assignee"  # 请选择承办人或承办岗位
    UNKNOWN_AUDIENCE = "service_unknown_audience"  # 请选择发送对象
    UNKNOWN_KNOWLEDGE = "unknown_knowledge"  # 知识库条目不存在或已停用
    UNKNOWN_VARIABLE = "service_unknown_variable"  # 未知的变量：…（可用：…）
    WRONG_STATE = "service_wrong_state"  # … …，不能再流转
