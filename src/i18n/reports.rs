//! Words of the reports dashboard: filters, KPI cards, chart titles, axes and legends.

crate::catalogue! {
    pub enum Report {
        PageTitle => "满意度报告", "Satisfaction report";
        NotEnoughData => "数据不足", "not enough data";
        // The filter form and its one-line summary.
        Period => "时间范围", "Period";
        PeriodWeek => "最近 7 天", "Last 7 days";
        PeriodMonth => "最近 30 天", "Last 30 days";
        PeriodQuarter => "最近一季", "Last quarter";
        PeriodYear => "最近一年", "Last year";
        PeriodCustom => "自定义", "Custom range";
        GroupBy => "分组", "Group by";
        ByDay => "按日", "By day";
        ByWeek => "按周", "By week";
        ByMonth => "按月", "By month";
        Region => "区域", "Region";
        AllRegions => "全部区域", "All regions";
        Survey => "问卷", "Survey";
        AllSurveys => "全部问卷", "All surveys";
        FromField => "起始日期", "From";
        ToField => "截止日期", "To";
        Apply => "应用", "Apply";
        DatesMakeCustom => "填写起止日期即为自定义时段；清空日期可改用上面的时间范围。", "Both dates filled in make the period custom; clear them to use a period above.";
        StoresOfRegion => "门店列表只含所选区域的门店。", "The store list holds the chosen region's stores only.";
        Compared => "与上一同长时段比较", "compared with the range of the same length before it";
        MinNNote => "少于 {n} 个回答时不显示数值", "fewer than {n} answers show no number";
        StoreNotInRegion => "门店 {store} 不在区域 {region} 内，现显示该区域的全部门店。", "Store {store} is not in region {region}, so the report shows every store of the region.";
        UnknownStore => "没有代码为 {n} 的门店，现显示全部门店。", "There is no store with code {n}, so the report shows every store.";
        HeldBack => "{n} 份回答暂缓计入", "{n} responses held back";
        HeldHint => "质量检查标记的回答不计入任何指标，经理接受后才计入", "flagged by the quality checks; they count in no number here until a manager accepts them";
        // KPI cards.
        Previous => "上期", "Previous";
        Interval => "95% 置信区间", "95% CI";
        NResponses => "份回答", "responses";
        NTransactions => "笔交易", "transactions";
        NAudits => "次巡店", "audits";
        NRespondents => "位回答者", "respondents";
        // Metric names.
        MetricCsat => "顾客满意度 CSAT", "CSAT (satisfied, 4–5 of 5)";
        MetricReputation => "美誉度（推荐者占比）", "Reputation (promoters, 9–10)";
        MetricNps => "净推荐值 NPS", "NPS";
        MetricReturn => "回头率", "Return rate (repeat customers)";
        MetricComplaints => "抱怨率", "Complaint rate";
        MetricMystery => "神秘顾客得分", "Mystery-shop score";
        MetricRevenue => "销售额", "Revenue";
        MetricTicket => "客单价", "Average ticket";
        // Chart links.
        Download => "下载", "Download";
        ShowAll => "显示全部 {n} 家门店", "Show all {n} stores";
        ShowTopBottom => "只显示前 {n} 名和后 {n} 名", "Show only the top {n} and bottom {n}";
        // Charts: words, axes and legends.
        NoData => "所选范围内没有数据", "No data for this selection";
        PeriodAxis => "时段", "Period";
        TrendDesc => "按时段的趋势，阴影为 95% 置信区间，虚线为上一时段；带 * 的时段只有部分天数在范围内。", "Trend by period with its 95% confidence band; the dashed line is the previous range; periods marked * are only partly inside the range.";
        LegendThis => "本期", "This range";
        LegendPrevious => "上期", "Previous range";
        LegendGap => "空缺：n < {n}", "gap: n < {n}";
        TooFew => "n < {n}", "n < {n}";
        LeagueTitle => "门店排名", "store league";
        LeagueDesc => "门店排名，最好的在上，附样本量 n 与 95% 置信区间。", "Stores ranked best first, each with its sample size n and 95% interval.";
        LeagueCut => "显示最好和最弱的各 {n} 家，共 {total} 家；CSV 含全部。", "Showing the best and weakest {n} of {total}; the CSV has all.";
        HiddenRows => "… 另有 {n} 家门店 …", "… {n} more stores …";
        StoreAxis => "门店", "Store";
        NoStore => "（无门店）", "(no store)";
        NpsMixTitle => "NPS 构成", "NPS mix";
        NpsMixDesc => "每个时段推荐意愿的构成。", "How the 0–10 recommend answers split in each period.";
        Detractors => "贬损者 0–6", "Detractors 0–6";
        Passives => "被动者 7–8", "Passives 7–8";
        Promoters => "推荐者 9–10", "Promoters 9–10";
        ShareAxis => "占比 (%)", "Share (%)";
        GapsTitle => "期望与体验的差距", "Expectation vs experience";
        GapsDesc => "满意度 = 体验 − 期望；最负的差距最先改进。", "Satisfaction = experience − expectation; fix the most negative gap first.";
        AspectAxis => "方面", "Aspect";
        GapAxis => "平均差距（1–5 分制）", "Mean gap (points on 1–5)";
        AwarenessTitle => "知名度：获知渠道", "Awareness: channels";
        AwarenessDesc => "顾客得知本店的渠道（可多选，占回答者比例）。", "How customers heard of the store (several allowed; share of respondents).";
        ChannelAxis => "渠道", "Channel";
        HeatTitle => "神秘顾客：门店 × 环节", "Mystery shop: stores × sections";
        HeatDesc => "已批准的神秘顾客检查中，各门店各环节的平均得分（%）。", "Mean section scores (%) of approved mystery-shop audits, by store.";
        HeatCut => "显示最弱的 {n} 家门店，共 {total} 家；CSV 含全部。", "Showing the {n} weakest of {total} stores; the CSV has all.";
        SectionAxis => "环节", "Section";
        UnitNps => "净推荐值（−100…100）", "NPS (−100…100)";
        UnitComplaintsSales => "每千笔交易投诉数", "complaints per 1,000 transactions";
        UnitComplaintsResponses => "每百份问卷投诉数（无销售数据）", "complaints per 100 responses (no sales data)";
        UnitYuan => "元", "yuan";
        UnitScore => "得分 (%)", "Score (%)";
        // The complaint-handling section (`views::report_cases`).
        CasesTitle => "投诉处理", "Complaint handling";
        CasesIntro => "统计所选时段内（按门店时区的受理日期）登记的投诉与建议；问卷筛选不适用于案件。", "Complaints and suggestions opened in the period, by the stores' local day; the survey filter does not apply to cases.";
        CasesMethod => "时长的区间为基于次序统计量、不依赖分布假设的 95% 区间；比率为 Wilson 区间。", "Time intervals: distribution-free 95% order-statistic intervals; shares: Wilson intervals.";
        CasesOverdue => "{n} 件案件已逾期", "{n} cases overdue";
        CasesOverdueHint => "未在期限内答复或解决，请优先处理", "open past a reply or resolution deadline; they come first";
        CaseReplyMedian => "首次答复时间（中位数）", "Time to first reply (median)";
        CaseReplyP90 => "首次答复时间（P90）", "Time to first reply (90th percentile)";
        CaseCloseMedian => "结案时间（中位数）", "Time to close (median)";
        CaseCloseP90 => "结案时间（P90）", "Time to close (90th percentile)";
        CaseOnTime => "按期首次答复率", "First reply within the deadline";
        CaseRecovery => "补救满意率", "Recovery rate (satisfied after handling)";
        CaseRepeat => "重复投诉者占比", "Repeat complainants";
        CaseOpenCard => "未结案件", "Open cases";
        CaseOverdueOf => "其中 {n} 件逾期", "{n} of them overdue";
        CaseHours => "{n} 小时", "{n} h";
        NCases => "件案件", "cases";
        NContacts => "位联系人", "contacts";
        CaseParetoTitle => "投诉原因帕累托图", "Causes of complaints (Pareto)";
        CaseParetoDesc => "按原因分类的案件数，从多到少排列；折线为累计占比，虚线为 80%。", "Cases by cause category, most frequent first; the line is the cumulative share, the dashed line 80%.";
        CaseParetoAxis => "案件数（条形）与累计占比（折线，0–100%）", "Cases (bars) and cumulative share (line, 0–100%)";
        CaseLegendCount => "案件数", "Cases";
        CaseLegendCumulative => "累计占比", "Cumulative share";
        CaseLegendEighty => "80% 线", "80% mark";
        CaseUncategorised => "另有 {n} 件尚未归类（建议、无效投诉或未到第 4 步）。", "{n} more cases have no category (suggestions, invalid complaints, cases before step 4).";
        CaseStoresTitle => "各门店未结与逾期案件", "Open and overdue cases by store";
        CaseThOpen => "未结", "Open";
        CaseThOverdue => "逾期", "Overdue";
        CaseNoOpen => "所选范围内没有未结案件。", "No open cases in this selection.";
        CaseKpisCsv => "各项指标", "the indicators";
        // Filter errors.
        ErrDate => "自定义时段的{n}须为日期（YYYY-MM-DD）。", "`{n}` must be a date (YYYY-MM-DD) for a custom period.";
        ErrBothDates => "自定义时段需要起止两个日期。", "A custom period needs both dates, `from` and `to`.";
        ErrPeriod => "时间范围须为最近 7 天、30 天、一季、一年或自定义。", "`period` must be one of week, month, quarter, year, custom.";
        ErrOutside => "{field}须在 {earliest} 与 {latest} 之间；{day} 超出范围。", "`{field}` must be between {earliest} and {latest}; {day} is outside.";
        ErrOrder => "截止日期须不早于起始日期。", "`to` must be on or after `from`.";
        ErrTooLong => "报表最多覆盖三年，请选择更短的时段。", "A report covers at most three years; choose a shorter range.";
        ErrGroup => "分组须为按日、按周或按月。", "`group` must be one of day, week, month.";
        ErrField => "筛选条件“{n}”无效。", "`{n}` is not valid.";
        ErrNotYourStore => "你只能查看自己门店的报表：门店 {n} 不在其中。", "You can see the reports of your own stores only: store {n} is not one of them.";
    }
}
