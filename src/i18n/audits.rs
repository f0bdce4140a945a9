//! Words of the audit pages: lists, assignments, the checklist form's chrome and errors, and review.

use super::Lang;
use crate::audits::Status;

crate::catalogue! {
    pub enum Audit {
        // Lists.
        ListTitle => "巡店审核", "Audits";
        MyAssignments => "我的任务", "My assignments";
        ThStore => "门店", "Store";
        ThWindow => "到店期限", "Visit window";
        ThShopper => "神秘顾客", "Shopper";
        ThStatus => "状态", "Status";
        ThScore => "得分", "Score";
        ThAction => "操作", "Action";
        ActReview => "审核", "Review";
        ActStart => "开始", "Start";
        ActContinue => "继续", "Continue";
        ActView => "查看", "View";
        NoAuditsYet => "还没有巡店任务。", "No audits yet.";
        CreateAssignment => "新建任务", "Create an assignment";
        NoAssignments => "您目前没有任务。", "You have no assignments.";
        DateFilterHint => "按到店日期筛选；尚未到店的按截止日期。", "By visit date; before a visit, by the last day of its window.";
        FilterRefused => "筛选条件有误，请修改下面标出的项目。", "Some filters are not valid: please correct the fields marked below.";
        ErrBadStatus => "请从列表中选择状态。", "Choose a status from the list.";
        ErrBadDate => "请按 年-月-日 输入日期，例如 2026-11-22。", "Enter a date as YYYY-MM-DD, for example 2026-11-22.";
        ErrDateOrder => "截止日期不能早于起始日期。", "The end date must be on or after the start date.";
        // Where an assignment stands.
        DueDone => "已完成", "done";
        DueRevision => "需要修改", "needs revision";
        DueOverdue => "已逾期", "overdue";
        DueUpcoming => "未开始", "upcoming";
        DueNow => "待完成", "due";
        TagExcluded => "不计入报表", "excluded from reports";
        TagCritical => "一票否决", "critical fail";
        // Status names.
        StAssigned => "已分配", "assigned";
        StInProgress => "填写中", "in progress";
        StSubmitted => "已提交，待审核", "submitted, awaiting review";
        StApproved => "已通过", "approved";
        StRejected => "已驳回", "rejected";
        StRevision => "已退回修改", "revision requested";
        // Notices after an action.
        DraftSaved => "草稿已保存，可以在任何设备上继续。", "Draft saved. You can continue on any device.";
        SubmittedThanks => "巡店已提交审核，谢谢。", "Audit submitted for review. Thank you.";
        AssignmentCreated => "任务已创建。", "Assignment created.";
        DecisionRecorded => "审核决定已记录。", "Decision recorded.";
        // The assignment form.
        NewAssignment => "新建任务", "New assignment";
        FieldShopper => "神秘顾客", "Shopper";
        FieldStore => "门店", "Store";
        FieldChecklist => "检查表", "Checklist";
        FieldFrom => "最早到店日期", "Visit from";
        FieldTo => "最晚到店日期", "Visit by";
        FieldScenario => "情景（选填）", "Scenario (optional)";
        ScenarioExample => "例如：为四口之家咨询洗衣机", "e.g. ask about a washing machine for a family of four";
        CreateButton => "创建任务", "Create assignment";
        AssignmentRefused => "任务未创建，请修改下面标出的项目。", "The assignment was not created: please correct the fields marked below.";
        ErrShopper => "请选择一位在用的神秘顾客。", "Choose an active shopper.";
        ErrStore => "请从门店登记中选择门店。", "Choose a store from the registry.";
        ErrChecklist => "请选择检查表。", "Choose a checklist.";
        ErrDate => "请按 年-月-日 输入日期。", "Enter a date as YYYY-MM-DD.";
        ErrWindow => "期限的最后一天不能早于第一天。", "The window must end on or after its first day.";
        ErrScenarioLong => "情景请控制在 1000 字以内。", "Keep the scenario under 1000 characters.";
        // The checklist form's chrome.
        Scenario => "情景：", "Scenario: ";
        SentBack => "已退回修改：", "Sent back for revision: ";
        VisitHeading => "到店信息", "Visit";
        VisitDate => "到店日期", "Visit date";
        TimeIn => "进店时间", "Time in";
        TimeOut => "离店时间", "Time out";
        Comment => "备注", "Comment";
        CommentIfFailed => "备注（未达标时必填）", "Comment (required if failed)";
        CommentOn => "对此项的备注：{n}", "Comment on: {n}";
        ReceiptPhoto => "小票照片", "Receipt photo";
        PhotoEvidence => "照片证据", "Photo evidence";
        PhotoN => "照片 {n}", "Photo {n}";
        Remove => "删除", "Remove";
        SaveLater => "保存，稍后继续", "Save, finish later";
        Progress => "第 {n} 页，共 {total} 页", "Page {n} of {total}";
        ErrorSummary => "请检查下面标出的问题。", "Please check the entries marked below.";
        ErrVisitDate => "请填写到店日期。", "Enter the date of the visit.";
        ErrVisitWindow => "到店日期必须在期限内：{from} 至 {to}。", "The visit must fall inside the window, {from} to {to}.";
        ErrTimeIn => "请填写进店时间（时:分）。", "Enter the time you went in (HH:MM).";
        ErrTimeOut => "请填写离店时间（时:分）。", "Enter the time you came out (HH:MM).";
        ErrTimeOrder => "离店时间必须晚于进店时间。", "The time out must be after the time in.";
        ErrCommentFailed => "请写明所见：每个未达标项都需要一条如实的备注。", "Say what you saw: every failed item needs a factual comment.";
        ErrOnlyShopper => "只有被分配的神秘顾客可以填写这次巡店。", "Only the assigned shopper can fill in this audit.";
        ErrLocked => "这次巡店已提交，不能再修改。", "This audit has been submitted and can no longer be changed.";
        // Evidence uploads ({n}: the files' names).
        UpTooMuch => "本页未保存：一次提交的数据过多。每次最多上传 {k} 张照片，每张不超过 {size} MB。", "Nothing was saved: this page sent too much. Send at most {k} photos of {size} MB each at a time.";
        UpTooManyParts => "本页未保存：表单包含的部分超过 {k} 个。", "Nothing was saved: the form sent more than {k} parts.";
        UpMalformed => "无法读取表单：{n}", "The form could not be read: {n}";
        UpNotUtf8 => "表单数据不是有效的 UTF-8 文本。", "The form data is not valid UTF-8 text.";
        UpAndMore => "等另外 {k} 个", "and {k} more";
        UpUnreadable => "未保存：{n}。无法读取这张照片（文件已损坏或不完整），请重新拍摄或导出。", "Not saved: {n}. The photo could not be read (the file is damaged or cut short); take or export it again.";
        UpNotPhotos => "未保存：{n}。只能添加照片（JPEG、PNG、WebP 或 GIF），每张不超过 {size} MB。", "Not saved: {n}. Only photos (JPEG, PNG, WebP or GIF) of at most {size} MB can be added.";
        UpExtra => "未保存：{n}。每次最多上传 {k} 张照片。", "Not saved: {n}. Send at most {k} photos at a time.";
        UpSectionFull => "未保存：{n}。本部分已有 {k} 张照片，已达上限；请先删除一张再添加。", "Not saved: {n}. This section already has {k} photos, the most allowed; remove one to add another.";
        UpAuditFull => "未保存：{n}。本次检查已有 {k} 张照片，已达上限。", "Not saved: {n}. This audit already has {k} photos, the most allowed.";
        UpAuditBytes => "未保存：{n}。本次检查的照片总量将超过 {k} MB。", "Not saved: {n}. The photos of this audit would exceed {k} MB in all.";
        // The summary and history.
        StatusIs => "状态：", "Status: ";
        Visited => "到店：", "Visited: ";
        History => "记录", "History";
        ThWhen => "时间", "When";
        ThWho => "操作人", "Who";
        ThWhat => "事项", "What";
        ThWhy => "原因", "Why";
        EvAssigned => "分配任务", "assigned";
        EvStarted => "开始填写", "started";
        EvSubmitted => "提交", "submitted";
        EvApproved => "通过", "approved";
        EvRejected => "驳回", "rejected";
        EvRevision => "退回修改", "revision requested";
        EvExcluded => "不计入报表", "excluded from reports";
        EvIncluded => "重新计入报表", "included in reports again";
        // Review.
        ReviewTitle => "审核：{n}", "Review: {n}";
        ShopperIs => "神秘顾客：", "shopper: ";
        WindowIs => "期限：", "window: ";
        VisitIs => "到店：", "Visit: ";
        Minutes => "{n} 分钟", "{n} min";
        FlagsTitle => "需留意", "Flags for review";
        FlagShort => "到店仅 {n} 分钟，少于预期的 {m} 分钟。", "The visit lasted {n} minute(s), under the {m} expected.";
        FlagLate => "到店后 {n} 小时才提交；报告应在 24 小时内提交。", "Submitted {n} hours after the visit; reports are due within 24 hours.";
        ScoreIs => "得分：", "Score: ";
        KnockoutVisit => "一票否决：整次巡店记 0 分", "Knock-out: the whole visit scores 0";
        KnockoutSection => "一票否决：本部分记 0 分", "Knock-out: this section scores 0";
        KnockoutInSections => "一票否决：有部分记 0 分", "Knock-out: a section scores 0";
        CriticalVisitItem => "关键项（整次巡店）", "critical item (whole visit)";
        CriticalSectionItem => "关键项（本部分）", "critical item (this section)";
        ThSection => "部分", "Section";
        ThPoints => "分数", "Points";
        ThItem => "项目", "Item";
        ThAnswer => "回答", "Answer";
        ThComment => "备注", "Comment";
        NotApplicable => "不适用", "N/A";
        Failed => "未达标", "failed";
        Bonus => "加分项", "bonus";
        Receipt => "小票", "Receipt";
        EvidencePhoto => "证据照片 {n}", "Evidence photo {n}";
        Decision => "审核决定", "Decision";
        ReasonLabel => "原因（除通过外必填；神秘顾客会看到）", "Reason (required except to approve; the shopper sees it)";
        Approve => "通过", "Approve";
        SendBack => "退回修改", "Send back for revision";
        Reject => "驳回", "Reject";
        Exclude => "不计入报表", "Exclude from reports";
        Include => "重新计入报表", "Include in reports again";
        DecisionRefused => "审核决定未记录：", "The decision was not recorded: ";
        ErrReasonNeeded => "请填写原因，它会和巡店记录一起显示。", "Give a reason: it is shown with the audit.";
        ErrReasonLong => "原因请控制在 1000 字以内。", "Keep the reason under 1000 characters.";
        ErrUnknownAction => "请从页面上的按钮中选择一项审核操作。", "Choose one of the review buttons on the page.";
        ErrOnlySubmitted => "只有已提交的巡店才能通过、驳回或退回修改。", "Only a submitted audit can be approved, rejected or sent back for revision.";
        ErrOnlyApproved => "只有已通过的巡店才能不计入或重新计入报表。", "Only an approved audit can be excluded from reports or included again.";
        ErrNotSubmitted => "已提交的巡店", "submitted audit";
        AuditNoun => "巡店", "audit";
    }
}

impl Audit {
    /// The text with each `{name}` placeholder filled in.
    pub fn with(self, lang: Lang, values: &[(&str, &str)]) -> String {
        values
            .iter()
            .fold(self.text(lang).to_owned(), |text, (name, value)| {
                text.replace(&format!("{{{name}}}"), value)
            })
    }

    /// `with` in both languages, for an error page drawn in the reader's.
    pub fn msg_with(self, values: &[(&str, &str)]) -> super::Msg {
        super::Msg::both(self.with(Lang::Zh, values), self.with(Lang::En, values))
    }
}

/// A status as the pages name it.
pub fn status_name(status: Status, lang: Lang) -> &'static str {
    match status {
        Status::Assigned => Audit::StAssigned,
        Status::InProgress => Audit::StInProgress,
        Status::Submitted => Audit::StSubmitted,
        Status::Approved => Audit::StApproved,
        Status::Rejected => Audit::StRejected,
        Status::RevisionRequested => Audit::StRevision,
    }
    .text(lang)
}

/// A stored history action (`audit_event.action`) in words; one we do not know is shown as stored.
pub fn event_name(action: &str, lang: Lang) -> String {
    let key = match action {
        "assigned" => Audit::EvAssigned,
        "started" => Audit::EvStarted,
        "submitted" => Audit::EvSubmitted,
        "approved" => Audit::EvApproved,
        "rejected" => Audit::EvRejected,
        "revision requested" => Audit::EvRevision,
        "excluded from reports" => Audit::EvExcluded,
        "included in reports again" => Audit::EvIncluded,
        other => return other.to_owned(),
    };
    key.text(lang).to_owned()
}

/// A stored reviewer flag (written in English by `audits::flags`) in the reader's language;
/// a flag of another shape is shown as stored.
pub fn flag_text(flag: &str, lang: Lang) -> String {
    let number = |s: &str| s.trim().parse::<i64>().ok();
    if let Some(rest) = flag.strip_prefix("The visit lasted ")
        && let Some((n, rest)) = rest.split_once(" minute(s), under the ")
        && let Some(m) = rest.strip_suffix(" expected.")
        && let (Some(n), Some(m)) = (number(n), number(m))
    {
        return Audit::FlagShort
            .fill(lang, n)
            .replace("{m}", &m.to_string());
    }
    if let Some(rest) = flag.strip_prefix("Submitted ")
        && let Some(h) =
            rest.strip_suffix(" hours after the visit; reports are due within 24 hours.")
        && let Some(h) = number(h)
    {
        return Audit::FlagLate.fill(lang, h);
    }
    flag.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_flags_are_read_in_either_language() {
        let short = "The visit lasted 3 minute(s), under the 5 expected.";
        assert_eq!(flag_text(short, Lang::En), short);
        assert_eq!(
            flag_text(short, Lang::Zh),
            "到店仅 3 分钟，少于预期的 5 分钟。"
        );
        let late = "Submitted 30 hours after the visit; reports are due within 24 hours.";
        assert_eq!(flag_text(late, Lang::En), late);
        assert!(flag_text(late, Lang::Zh).starts_with("到店后 30 小时"));
        assert_eq!(flag_text("something else", Lang::Zh), "something else");
    }

    #[test]
    fn every_status_and_event_has_a_name() {
        for s in Status::ALL {
            assert!(!status_name(s, Lang::Zh).is_empty());
        }
        assert_eq!(event_name("revision requested", Lang::Zh), "退回修改");
        assert_eq!(event_name("archived", Lang::Zh), "archived");
    }
}
