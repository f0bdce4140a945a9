//! Words of the audit pages: lists, assignments, the checklist form's chrome and errors, and review.

crate::catalogue! {
    pub enum Audit {
        ListTitle => "巡店审核", "Audits";
        MyAssignments => "我的任务", "My assignments";
    }
}
