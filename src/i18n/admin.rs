//! Words of the admin pages: accounts, stores and posters, API tokens, held-back responses and the start page.

crate::catalogue! {
    pub enum Admin {
        StoresTitle => "门店", "Stores";
        UsersTitle => "账号", "Users";
    }
}
