"""Every write of the service desk, one ``do_*`` per verb and noun, one transaction each with its event.
Split by noun: ``cases`` (投诉/举报), ``consultations`` (咨询, 知识库), ``surveys`` (满意度调查), ``messages``
(短信模板, 宣传提醒)."""

from .cases import (
    do_archive_case,
    do_assign_case,
    do_extend_case,
    do_open_inspection,
    do_open_investigation,
    do_rate_case,
    do_receive_case,
    do_reply_case,
    do_track_case,
)
from .consultations import (
    do_answer_consultation,
    do_ask_online,
    do_hand_over_consultation,
    do_register_consultation,
    do_retire_knowledge,
    do_save_knowledge,
    do_take_consultation,
)

__all__ = [
    "do_answer_consultation", "do_archive_case", "do_ask_online", "do_assign_case", "do_extend_case",
    "do_hand_over_consultation", "do_open_inspection", "do_open_investigation", "do_rate_case", "do_receive_case",
    "do_register_consultation", "do_reply_case", "do_retire_knowledge", "do_save_knowledge",
    "do_take_consultation", "do_track_case",
]
from .surveys import (  # noqa: E402
    do_add_suggestion,
    do_close_survey,
    do_complete_suggestion,
    do_create_survey,
    do_mark_unreachable,
    do_record_answers,
    do_save_questionnaire,
)

__all__ += [
    "do_add_suggestion", "do_close_survey", "do_complete_suggestion", "do_create_survey", "do_mark_unreachable",
    "do_record_answers", "do_save_questionnaire",
]
from .messages import do_approve_template, do_run_campaign, do_save_template  # noqa: E402

__all__ += ["do_approve_template", "do_run_campaign", "do_save_template"]
