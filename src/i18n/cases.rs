//! Words of complaint cases: kinds, channels, steps, the case pages, the customer's status page and recovery survey, and their errors.

use super::Lang;

crate::catalogue! {
    pub enum Case {
        // Vocabulary.
        KindComplaint => "投诉", "Complaint";
        KindSuggestion => "建议", "Suggestion";
        ChannelSurvey => "满意度调查", "Survey";
        ChannelWalkIn => "到店", "Walk-in";
        ChannelPhone => "电话", "Phone";
        ChannelWeb => "网上表单", "Web form";
        ChannelMysteryShop => "神秘顾客发现", "Mystery-shop finding";
        RequestRefund => "退款", "Refund";
        RequestExchange => "换货", "Exchange";
        RequestRepair => "维修", "Repair";
        RequestApology => "道歉", "Apology";
        RequestOther => "其他", "Other";
        RequestNone => "未提出", "None stated";
        PriorityHigh => "紧急", "High";
        PriorityNormal => "普通", "Normal";
        PriorityLow => "不急", "Low";
        StepValidity => "判断是否有效", "Judge validity";
        StepAssign => "指派负责人", "Assign";
        StepCause => "分析原因", "Analyse the cause";
        StepSolution => "提出解决方案", "Propose a solution";
        StepApproval => "主管审批", "Supervisor approval";
        StepImplement => "实施", "Implement";
        StepSummary => "总结评估", "Summarise and evaluate";
        StepClosed => "已结案", "Closed";
        // What the customer's status page says.
        PublicReceived => "已收到，正在确认", "Received, being checked";
        PublicHandling => "正在处理", "Being handled";
        PublicResolving => "正在落实解决方案", "Putting the solution in place";
        PublicClosed => "已处理完毕", "Closed";
        // Refusals of the flow.
        ErrClosed => "这个案件已经结案，不能再修改。", "This case is closed and can no longer be changed.";
        ErrNotInFlow => "这类案件没有这一步。", "This kind of case has no such step.";
        ErrSupervisorOnly => "只有经理或管理员可以审批解决方案。", "Only a manager or an admin can approve a solution.";
        ErrTooLong => "内容太长了，请控制在 4000 字以内。", "That is too long: keep it under 4,000 characters.";
        ErrMessageEmpty => "请写下内容。", "Please write something.";
        ErrReasonEmpty => "请写明理由。", "Please give the reason.";
        ErrDepartmentEmpty => "部门名称不能为空。", "The department cannot be blank.";
        ErrCategory => "请从列表中选择原因类别。", "Choose a cause category from the list.";
        ErrRootCauseEmpty => "请写明根本原因。", "Please describe the root cause.";
        ErrSolutionEmpty => "请写明解决方案。", "Please describe the solution.";
        ErrRemedyEmpty => "请写明对顾客的补救措施。", "Please describe the remedy for the customer.";
        ErrImplementEmpty => "请写明实施了什么。", "Please say what was done.";
        ErrSummaryEmpty => "请写下总结。", "Please write the summary.";
        ErrMoved => "案件已被其他人推进到下一步，请查看最新状态。", "Someone else has already moved this case on: here is where it stands now.";
        ErrOwner => "请从列表中选择负责人。", "Choose the owner from the list.";
        ErrChoose => "请选择一项。", "Please choose one.";
        ErrStore => "请选择您负责的门店。", "Choose one of your stores.";
        ErrDescription => "请记录顾客的原话（至少 2 个字）。", "Record the customer's words (at least 2 characters).";
        ErrContactConsent => "只有在顾客同意被联系时才能记录联系方式。", "A contact can only be recorded when the customer agrees to be contacted.";
        ErrNoCase => "没有这个案件。", "There is no such case.";
        ErrLink => "这个链接无效或已过期。", "This link is not valid.";
        ErrRecoveryDone => "这份回访问卷已经填写过了，谢谢！", "This follow-up has already been answered. Thank you!";
        ErrRecoveryOpen => "案件结案后才能回访。", "The follow-up opens once the case is closed.";
        // Lists.
        ListTitle => "投诉与建议", "Complaints and suggestions";
        NewCase => "登记新案件", "Record a case";
        FilterStore => "门店", "Store";
        FilterState => "状态", "State";
        FilterKind => "类型", "Type";
        StateOpen => "处理中", "Open";
        StateOverdue => "已超时", "Overdue";
        StateClosed => "已结案", "Closed";
        StateAll => "全部", "All";
        Apply => "筛选", "Apply";
        From => "登记日期从", "Opened from";
        To => "至", "to";
        Matches => "条符合", "matching";
        NoCases => "没有符合条件的案件。", "No cases match.";
        ExportCsv => "下载 CSV", "Download CSV";
        ExportWithContacts => "含联系方式", "With contacts";
        ExportHint => "按当前筛选导出；联系方式只在需要时导出。", "Exports the cases matching this filter; include contacts only when needed.";
        ThCode => "编号", "Case";
        ThStore => "门店", "Store";
        ThStep => "当前步骤", "Step";
        ThDue => "期限", "Due";
        ThOpened => "登记时间", "Opened";
        ThPriority => "优先级", "Priority";
        LateReply => "未按时回复", "reply overdue";
        LateResolve => "处理超时", "resolution overdue";
        ReplyBy => "回复期限", "Reply by";
        ResolveBy => "解决期限", "Resolve by";
        Replied => "已回复", "Replied";
        // The case page.
        CustomerWords => "顾客反映", "The customer says";
        Wants => "顾客诉求", "Asks for";
        Contact => "联系方式", "Contact";
        ContactNone => "顾客未留联系方式", "No contact given";
        ContactErased => "联系方式已应顾客要求删除", "Contact erased at the customer's request";
        Erase => "删除联系方式", "Erase contact";
        EraseHint => "应顾客要求删除；案件保留用于统计。", "At the customer's request; the case stays for the statistics.";
        FromSurvey => "来自一份问卷回答", "From a survey response";
        Department => "部门", "Department";
        Owner => "负责人", "Owner";
        Category => "原因类别", "Cause category";
        RootCause => "根本原因", "Root cause";
        Solution => "解决方案", "Solution";
        Remedy => "对顾客的补救", "Remedy for the customer";
        Compensation => "补偿（如有）", "Compensation (if any)";
        Implementation => "实施情况", "What was done";
        Summary => "总结", "Summary";
        CustomerAccepted => "顾客是否接受处理结果？", "Did the customer accept the outcome?";
        Resolved => "问题是否解决？", "Resolved?";
        NotAsked => "未询问", "Not asked";
        Yes => "是", "Yes";
        No => "否", "No";
        Valid => "有效", "Valid";
        Invalid => "无效", "Not valid";
        InvalidReason => "理由（无效时必填，会告知顾客）", "Reason (required if not valid; the customer sees it)";
        Approve => "批准", "Approve";
        SendBack => "退回修改", "Send back";
        SendBackReason => "退回理由", "Why it goes back";
        ApprovalNote => "意见（可选）", "Comment (optional)";
        SupervisorWait => "等待经理审批。", "Waiting for a manager's approval.";
        Save => "提交这一步", "Complete this step";
        StepOf => "第 {n} 步，共 {total} 步", "Step {n} of {total}";
        History => "处理记录", "History";
        ReplyTitle => "回复顾客", "Reply to the customer";
        ReplyHint => "顾客会在状态页上看到这条回复。", "The customer sees this on the status page.";
        Send => "发送", "Send";
        NoteTitle => "内部备注", "Internal note";
        NoteHint => "只有员工能看到。", "Staff only.";
        AddNote => "添加备注", "Add note";
        Recovery => "回访", "Return visit";
        RecoverySatisfied => "您对我们的处理满意吗？", "Are you satisfied with how we handled it?";
        RecoveryReturn => "您还会再来我们这里购物吗？", "Will you shop with us again?";
        RecoveryRecord => "记录回访答复", "Record the answers";
        RecoveryLink => "回访问卷链接（发给顾客，仅能填写一次）", "Follow-up link (send to the customer; answers once)";
        StatusLink => "顾客查询链接", "Customer's status link";
        Done => "已保存。", "Saved.";
        // Event words in the history.
        EvOpened => "登记", "recorded";
        EvValid => "判定有效", "judged valid";
        EvInvalid => "判定无效", "judged not valid";
        EvAssigned => "已指派", "assigned";
        EvCause => "原因分析", "cause analysed";
        EvProposed => "提出方案", "solution proposed";
        EvApproved => "批准", "approved";
        EvSentBack => "退回修改", "sent back";
        EvImplemented => "已实施", "implemented";
        EvClosed => "结案", "closed";
        EvReply => "回复顾客", "reply to customer";
        EvNote => "备注", "note";
        EvOverdue => "超时升级", "escalated as overdue";
        EvRecovery => "回访", "follow-up answered";
        EvErased => "删除联系方式", "contact erased";
        Customer => "顾客", "customer";
        System => "系统", "system";
        // Recording a case.
        NewTitle => "登记投诉或建议", "Record a complaint or suggestion";
        Kind => "类型", "Type";
        Channel => "来源", "Channel";
        Store => "门店", "Store";
        Description => "顾客的原话", "The customer's words";
        Request => "顾客诉求", "What they ask for";
        Priority => "优先级", "Priority";
        ContactField => "联系方式（电话或微信）", "Contact (phone or WeChat)";
        Consent => "顾客同意我们就此事联系他/她", "The customer agrees to be contacted about this";
        Record => "登记", "Record";
        // The customer's pages.
        StatusTitle => "您的反馈处理进度", "Your feedback";
        CaseNumber => "受理编号", "Reference";
        StatusNow => "当前状态", "Status";
        Replies => "我们的回复", "Our replies";
        NoReplyYet => "我们会在 24 小时内回复您。", "We will reply within 24 hours.";
        KeepLink => "请保存这个链接，随时查看处理进度。", "Keep this link to follow your case.";
        ThanksCase => "我们已登记您的反馈，受理编号：", "We have recorded your feedback. Your reference:";
        FollowLink => "查看处理进度", "Follow its progress";
        RecoveryTitle => "回访", "A quick follow-up";
        RecoveryThanks => "谢谢您的回答！", "Thank you for your answers!";
        Submit => "提交", "Submit";
        OpenedAt => "受理时间", "Received";
    }
}

impl Case {
    /// "Step 2 of 8": where a step stands in its case's own flow (`cases::page::position`).
    pub fn step_of(lang: Lang, n: usize, total: usize) -> String {
        Case::StepOf
            .text(lang)
            .replace("{n}", &n.to_string())
            .replace("{total}", &total.to_string())
    }

    /// The history's word for a logged action.
    pub fn event(action: &str, lang: Lang) -> &'static str {
        let key = match action {
            "opened" => Case::EvOpened,
            "valid" => Case::EvValid,
            "invalid" => Case::EvInvalid,
            "assigned" => Case::EvAssigned,
            "cause" => Case::EvCause,
            "proposed" => Case::EvProposed,
            "approved" => Case::EvApproved,
            "sent_back" => Case::EvSentBack,
            "implemented" => Case::EvImplemented,
            "closed" => Case::EvClosed,
            "reply" => Case::EvReply,
            "overdue" => Case::EvOverdue,
            "recovery" => Case::EvRecovery,
            "erased" => Case::EvErased,
            _ => Case::EvNote,
        };
        key.text(lang)
    }
}
