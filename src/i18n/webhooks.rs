//! Words of the webhooks admin page: endpoints, their secrets, and the delivery log.

crate::catalogue! {
    pub enum Hook {
        Nav => "推送", "Webhooks";
        Title => "Webhook 推送", "Webhooks";
        Intro => "案件开立、逾期或结案时，满意会向下面的地址发送签名的 JSON（POST）。接收方如何验证签名，见 README 的“Webhooks”一节。", "When a case is opened, becomes overdue or is closed, manyi POSTs signed JSON to the addresses below. How a receiver checks the signature: the README's \"Webhooks\" section.";
        // The list.
        UrlField => "地址", "URL";
        EventsField => "事件", "Events";
        SecretField => "签名密钥", "Signing secret";
        ShowSecret => "显示密钥", "Show the secret";
        AddedField => "添加", "Added";
        ByWord => "添加人", "by";
        Active => "启用中", "active";
        Disabled => "已停用", "disabled";
        Enable => "启用", "Enable";
        Disable => "停用", "Disable";
        DeleteOpen => "删除…", "Delete…";
        DeleteConfirm => "确认删除此地址及其推送记录", "Delete this webhook and its log";
        NoWebhooks => "还没有添加任何地址。", "No webhooks yet.";
        DisabledHint => "停用期间的推送会保留在队列中，重新启用后再发送。", "While a webhook is disabled its deliveries wait in the queue, and go out once it is enabled again.";
        // Adding one.
        AddTitle => "添加地址", "Add a webhook";
        UrlLabel => "接收地址（http:// 或 https://）", "Receiving URL (http:// or https://)";
        UrlHint => "例如企业微信或钉钉机器人的中转服务、邮件网关或您的 CRM。", "For example a relay to a WeCom or DingTalk bot, an email gateway or your CRM.";
        EventsLabel => "发送哪些事件", "Events to send";
        EvOpened => "案件开立", "Case opened";
        EvOverdue => "案件逾期", "Case overdue";
        EvClosed => "案件结案", "Case closed";
        AddButton => "添加", "Add webhook";
        CopySecret => "地址已添加。请把下面的签名密钥复制到接收方，它用这个密钥验证每次推送的 X-Manyi-Signature。", "Webhook added. Copy this signing secret into the receiver: it checks every delivery's X-Manyi-Signature with it.";
        SecretHint => "密钥由服务器随机生成，随时可在列表中再次查看。", "The server made it at random; the list shows it again whenever needed.";
        Refused => "未添加：请修改下面标出的内容。", "The webhook was not added: please correct the fields marked below.";
        ErrUrl => "请输入以 http:// 或 https:// 开头、带有主机名的地址，例如 https://crm.example.com/hooks/manyi。", "Enter an address that starts with http:// or https:// and names a host, e.g. https://crm.example.com/hooks/manyi.";
        ErrEvents => "请至少选择一个事件。", "Choose at least one event.";
        WebhookWord => "推送地址", "webhook";
        // Notices after a change.
        DoneEnabled => "已启用。", "Webhook enabled.";
        DoneDisabled => "已停用。", "Webhook disabled.";
        DoneDeleted => "已删除该地址及其推送记录。", "Webhook and its log deleted.";
        DoneRetried => "已重新排队，几秒钟内发送。", "Queued again: it goes out within a few seconds.";
        // The delivery log.
        LogTitle => "推送记录", "Delivery log";
        LogHint => "失败的推送每次等待时间加倍（30 秒起，最长 6 小时），用完重试次数后标为失败。", "A failed delivery waits twice as long before each retry (from 30 s, at most 6 h) and is marked failed when its attempts run out.";
        ThEvent => "事件", "Event";
        ThCase => "案件", "Case";
        ThAttempts => "尝试次数", "Attempts";
        ThResult => "最近结果", "Last result";
        ThTimes => "时间", "Times";
        StPending => "待发送", "pending";
        StDelivered => "已送达", "delivered";
        StFailed => "已失败", "failed";
        TimeQueued => "排队", "queued";
        TimeDelivered => "送达", "delivered";
        TimeNext => "下次尝试", "next try";
        NotTried => "尚未发送", "not sent yet";
        RetryNow => "立即重试", "Retry now";
        NoDeliveries => "还没有推送记录。", "No deliveries yet.";
        ErrStatus => "状态请选择待发送、已送达或已失败。", "Choose pending, delivered or failed for the status.";
        FailedDeliveryWord => "失败的推送", "failed delivery";
    }
}
