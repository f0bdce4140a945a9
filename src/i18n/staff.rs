//! Words every staff page shares: the nav bar, roles, the language switch, paging, filters and common errors.

crate::catalogue! {
    /// The staff shell and its widgets.
    pub enum Staff {
        Brand => "满意 manyi", "满意 manyi";
        MainNav => "主导航", "Main";
        Menu => "菜单", "Menu";
        NavAudits => "巡店审核", "Audits";
        NavAssignments => "我的任务", "My assignments";
        NavReports => "报表", "Reports";
        NavHeld => "待核回答", "Held responses";
        NavNewAssignment => "新建任务", "New assignment";
        NavStores => "门店", "Stores";
        NavUsers => "账号", "Users";
        NavTokens => "API 令牌", "API tokens";
        LogOut => "退出", "Log out";
        Language => "语言", "Language";
        /// The switch names the other language in that language.
        SwitchToOther => "English", "中文";
        RoleAdmin => "管理员", "admin";
        RoleManager => "经理", "manager";
        RoleShopper => "神秘顾客", "shopper";
        // Paging and filters.
        PrevPage => "上一页", "Previous";
        NextPage => "下一页", "Next";
        PageOf => "第 {n} 页", "Page {n}";
        Matches => "共 {n} 条", "{n} matching";
        NoMatches => "没有符合条件的记录。", "Nothing matches these filters.";
        Filter => "筛选", "Filter";
        ClearFilters => "清除筛选", "Clear filters";
        AllStores => "全部门店", "All stores";
        AllStatuses => "全部状态", "All statuses";
        AnyStatus => "任意状态", "Any status";
        FromDate => "起始日期", "From";
        ToDate => "截止日期", "To";
        StoreField => "门店", "Store";
        StatusField => "状态", "Status";
        Save => "保存", "Save";
        Saved => "已保存。", "Saved.";
        Cancel => "取消", "Cancel";
        Actions => "操作", "Actions";
        // Errors staff meet.
        ErrForbiddenRole => "您的账号无权查看此页面。", "Your account is not allowed to see this page.";
        ErrNoPage => "这个地址没有页面。", "There is no page at this address.";
        ErrBadLang => "请选择中文或 English。", "Please choose 中文 or English.";
        BackHome => "返回首页", "Back to the start page";
        // Logging in.
        LogIn => "登录", "Log in";
        Username => "用户名", "Username";
        Password => "密码", "Password";
        ErrWrongLogin => "用户名或密码不正确。", "Wrong username or password.";
        ErrLoginBusy => "正在核对的登录太多，请过几秒再试。", "Too many logins are being checked right now. Please try again in a few seconds.";
        ErrTooManyLogins => "来自您网络地址的登录失败次数太多，请等 {n} 分钟再试。", "Too many failed logins from your address. Please wait {n} minute(s) and try again.";
        ErrLoginSlowed => "这个账号在别处多次登录失败，新浏览器的登录会放慢。请 {n} 秒后再试。", "This account has had many failed logins from elsewhere, so logins from a new browser are slowed down. Please try again in {n} second(s).";
    }
}

crate::catalogue! {
    /// The titles of error pages, by kind of status.
    pub enum ErrorTitle {
        NotFound => "找不到该页面", "Not found";
        Timeout => "请求超时", "Request timed out";
        TooLarge => "提交的内容太大", "Too much data";
        Invalid => "有些内容需要修改", "Some entries need a change";
        Forbidden => "无权访问", "Not allowed";
        TooMany => "请求太频繁", "Too many requests";
        Conflict => "与已有记录冲突", "Conflicts with what is stored";
        BadRequest => "请求有误", "Bad request";
        Busy => "服务器繁忙", "The server is busy";
        ServerError => "服务器出错了", "Something went wrong";
    }
}

impl ErrorTitle {
    pub fn for_status(status: u16) -> ErrorTitle {
        match status {
            404 => ErrorTitle::NotFound,
            408 => ErrorTitle::Timeout,
            413 => ErrorTitle::TooLarge,
            422 => ErrorTitle::Invalid,
            403 => ErrorTitle::Forbidden,
            429 => ErrorTitle::TooMany,
            409 => ErrorTitle::Conflict,
            400..=499 => ErrorTitle::BadRequest,
            503 | 507 => ErrorTitle::Busy,
            _ => ErrorTitle::ServerError,
        }
    }
}
