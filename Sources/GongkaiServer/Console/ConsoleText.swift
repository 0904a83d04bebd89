import GongkaiAudit
import GongkaiCore

/// Every string the console shows, in Chinese (the default) and English.
///
/// One table rather than strings in the templates, so that a test can check that no
/// key lacks a language and the templates only say `{{t.key}}`.
enum ConsoleText {
    static let table: [String: (zh: String, en: String)] = [
        "appName": ("gongkai 政务公开投递控制台", "gongkai disclosure console"),
        "overview": ("总览", "Overview"),
        "deadlines": ("期限", "Deadlines"),
        "deadLetters": ("投递失败", "Dead letters"),
        "reconcile": ("对账报告", "Reconciliation"),
        "signIn": ("登录", "Sign in"),
        "signOut": ("退出", "Sign out"),
        "signedInAs": ("当前用户", "Signed in as"),
        "role": ("角色", "role"),
        "token": ("访问令牌", "Access token"),
        "tokenHelp": (
            "粘贴管理员用 gongkai token create 为您创建的令牌。令牌只用于本次登录，不会出现在网址或页面中。",
            "Paste the token an administrator made for you with gongkai token create. It is used for this sign-in only and never appears in a URL or page."
        ),
        "badToken": ("令牌无效或已吊销。", "The token is not valid or has been revoked."),
        "channel": ("渠道", "Channel"),
        "kind": ("类型", "Kind"),
        "breaker": ("熔断器", "Breaker"),
        "breakerClosed": ("正常", "closed"),
        "breakerOpen": ("已熔断", "open"),
        "paused": ("暂停", "Paused"),
        "yes": ("是", "yes"),
        "no": ("否", "no"),
        "oldestDue": ("最早待投递", "Oldest due"),
        "lastError": ("最近错误", "Last error"),
        "none": ("无", "none"),
        "lastReconcile": ("最近一次对账", "Last reconciliation"),
        "noReport": ("尚无对账报告：运行 gongkai reconcile 或设置 reconcile.interval。", "No reconciliation report yet: run gongkai reconcile or set reconcile.interval."),
        "finishedAt": ("完成于", "Finished at"),
        "viewReport": ("查看报告", "View the report"),
        "downloadCSV": ("下载 CSV", "Download CSV"),
        "rule": ("规则", "Rule"),
        "ruleGeneral": ("一般信息：形成或变更之日起 20 个工作日", "General: 20 working days from formation or change"),
        "rulePenaltyLicence": ("行政处罚、许可：7 个工作日", "Penalties and licences: 7 working days"),
        "ruleInterpretation": ("政策解读：政策公开后 3 个工作日", "Interpretations: 3 working days after the policy"),
        "ruleResponse": ("回应关切：关切提出之日起 3 个工作日（重大突发舆情当日）", "Responses to public concerns: 3 working days from the concern (urgent: the same day)"),
        "ruleWithdrawal": ("撤下变更或撤销的处罚、许可：3 个工作日", "Taking down a changed or annulled penalty or licence: 3 working days"),
        "item": ("事项", "Item"),
        "title": ("标题", "Title"),
        "due": ("期限日", "Due"),
        "status": ("状态", "Status"),
        "late": ("已逾期", "late"),
        "atRisk": ("即将到期", "at risk"),
        "workdaysLate": ("逾期工作日", "working days late"),
        "noDeadlines": ("没有逾期或即将到期的事项。", "No item is late or at risk."),
        "state": ("投递状态", "State"),
        "attempts": ("尝试次数", "Attempts"),
        "updatedAt": ("更新于", "Updated"),
        "actions": ("操作", "Actions"),
        "resend": ("重新投递", "Resend"),
        "recoverAll": ("全部重新排队", "Re-queue all dead"),
        "recoverHelp": ("将该渠道所有投递失败的记录重新排队（与 gongkai recover 相同）。", "Re-queues every dead delivery of this channel (as gongkai recover does)."),
        "noDeadLetters": ("没有投递失败的记录。", "No dead letters."),
        "readOnly": ("只读角色：不能重新投递。", "Read role: you cannot resend."),
        "requeued": ("已重新排队的投递数", "Deliveries re-queued"),
        "versions": ("版本", "Versions"),
        "currentVersion": ("当前版本", "Current version"),
        "review": ("审核", "Review"),
        "attribute": ("公开属性", "Disclosure"),
        "withdrawn": ("已撤回", "Withdrawn"),
        "deliveries": ("各渠道投递", "Deliveries"),
        "wanted": ("应有版本", "Wanted"),
        "delivered": ("已投递版本", "Delivered"),
        "remoteURL": ("平台地址", "Remote URL"),
        "deadline": ("时限", "Deadline"),
        "timeline": ("投递记录", "Attempt timeline"),
        "startedAt": ("时间", "Time"),
        "operation": ("操作", "Operation"),
        "trigger": ("触发", "Trigger"),
        "outcome": ("结果", "Outcome"),
        "httpStatus": ("HTTP", "HTTP"),
        "duration": ("耗时（毫秒）", "Duration (ms)"),
        "error": ("错误", "Error"),
        "noAttempts": ("尚无投递尝试。", "No attempts yet."),
        "history": ("操作记录", "History"),
        "actor": ("操作人", "Actor"),
        "action": ("动作", "Action"),
        "detail": ("说明", "Detail"),
        "total": ("合计", "Total"),
        "problem": ("出错了", "Something went wrong"),
        "back": ("返回总览", "Back to the overview"),
        "language": ("English", "中文"),
        "role.operate": ("运维", "operate"),
        "role.read": ("只读", "read"),
        "role.submit": ("提交", "submit"),
        "state.pending": ("待投递", "pending"),
        "state.sending": ("投递中", "sending"),
        "state.delivered": ("已投递", "delivered"),
        "state.retrying": ("重试中", "retrying"),
        "state.dead": ("投递失败", "dead"),
        "state.withdrawn": ("已撤下", "withdrawn"),
        "state.skipped": ("不投递", "skipped"),
        "state.blocked": ("待审核", "blocked"),
    ]

    /// The table in one language, for a template's `t`.
    static func strings(_ language: ReportLanguage) -> [String: String] {
        table.mapValues { language == .zh ? $0.zh : $0.en }
    }

    static func text(_ key: String, _ language: ReportLanguage) -> String {
        guard let entry = table[key] else { return key }
        return language == .zh ? entry.zh : entry.en
    }

    static func state(_ state: DeliveryState, _ language: ReportLanguage) -> String {
        text("state.\(state.rawValue)", language)
    }
}
