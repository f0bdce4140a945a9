//! Words of the customer form's store picker, shown when a form is reached without a store.

crate::catalogue! {
    pub enum StorePick {
        Label => "您要反馈的是哪家门店？", "Which store is this about?";
        Hint => "请选择您到访或购物的门店，我们会转给该店处理。", "Choose the store you visited or bought from: it is passed to that store.";
        Choose => "请选择门店", "Choose a store";
    }
}
