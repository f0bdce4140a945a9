//! Words of the reports dashboard: filters, KPI cards, chart titles, axes and legends.

crate::catalogue! {
    pub enum Report {
        Title => "报表", "Reports";
        NotEnoughData => "数据不足", "Not enough data";
    }
}
