<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>BooleanEditor</name>
    <message>
        <source>Yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>No</source>
        <translation>否</translation>
    </message>
</context>
<context>
    <name>CaseTable</name>
    <message>
        <source>Case no.</source>
        <translation>案号</translation>
    </message>
    <message>
        <source>Case name</source>
        <translation>案件名称</translation>
    </message>
    <message>
        <source>Parties</source>
        <translation>当事人</translation>
    </message>
    <message>
        <source>Domain</source>
        <translation>领域</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Opened on</source>
        <translation>立案日期</translation>
    </message>
    <message>
        <source>Handling unit</source>
        <translation>承办单位</translation>
    </message>
    <message>
        <source>Sync</source>
        <translation>同步</translation>
    </message>
    <message>
        <source>● Pending</source>
        <translation>● 待同步</translation>
    </message>
    <message>
        <source>◐ Sending</source>
        <translation>◐ 发送中</translation>
    </message>
    <message>
        <source>✓ Synced</source>
        <translation>✓ 已同步</translation>
    </message>
    <message>
        <source>✕ Error</source>
        <translation>✕ 同步出错</translation>
    </message>
    <message>
        <source>This case has an overdue deadline</source>
        <translation>该案件有已逾期的期限</translation>
    </message>
    <message>
        <source>Sync failed; see the case for the reason</source>
        <translation>同步失败，原因见案件详情</translation>
    </message>
</context>
<context>
    <name>CaseView</name>
    <message>
        <source>¥%1</source>
        <translation>￥%1</translation>
    </message>
    <message>
        <source>Person</source>
        <translation>自然人</translation>
    </message>
    <message>
        <source>Organisation</source>
        <translation>单位</translation>
    </message>
    <message>
        <source>This unit</source>
        <translation>本单位</translation>
    </message>
    <message>
        <source>Police</source>
        <translation>公安机关</translation>
    </message>
    <message>
        <source>Procuratorate</source>
        <translation>检察院</translation>
    </message>
    <message>
        <source>Court</source>
        <translation>法院</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>身份</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称/姓名</translation>
    </message>
    <message>
        <source>ID number</source>
        <translation>证件号码</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>节点</translation>
    </message>
    <message>
        <source>By</source>
        <translation>经办人</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>文书类型</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <source>Number</source>
        <translation>文号</translation>
    </message>
    <message>
        <source>Issued on</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Pages</source>
        <translation>页数</translation>
    </message>
    <message>
        <source>Files</source>
        <translation>附件</translation>
    </message>
    <message>
        <source>Owed by</source>
        <translation>责任方</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>期限</translation>
    </message>
    <message>
        <source>Met</source>
        <translation>完成时间</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>依据</translation>
    </message>
    <message>
        <source>Parties</source>
        <translation>当事人</translation>
    </message>
    <message>
        <source>Timeline</source>
        <translation>程序节点</translation>
    </message>
    <message>
        <source>Documents</source>
        <translation>文书</translation>
    </message>
    <message>
        <source>Deadlines</source>
        <translation>期限</translation>
    </message>
    <message>
        <source>Facts</source>
        <translation>案情</translation>
    </message>
    <message>
        <source>Workflow</source>
        <translation>移送流程</translation>
    </message>
    <message>
        <source>Case no.</source>
        <translation>案号</translation>
    </message>
    <message>
        <source>Domain / category</source>
        <translation>领域 / 类别</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Handling unit</source>
        <translation>承办单位</translation>
    </message>
    <message>
        <source>Opened / decided</source>
        <translation>立案 / 决定日期</translation>
    </message>
    <message>
        <source>Amount involved / fine</source>
        <translation>涉案金额 / 罚款</translation>
    </message>
    <message>
        <source>Sync</source>
        <translation>同步</translation>
    </message>
    <message>
        <source>This case no longer exists.</source>
        <translation>该案件已不存在。</translation>
    </message>
</context>
<context>
    <name>ConflictDialog</name>
    <message>
        <source>Resolve sync conflicts</source>
        <translation>解决同步冲突</translation>
    </message>
    <message>
        <source>These records were changed here and on the platform in the same fields. Choose which value to keep for each field.</source>
        <translation>以下记录的相同字段在本机和平台上都被修改过。请逐个字段选择要保留的值。</translation>
    </message>
    <message>
        <source>Here: %1</source>
        <translation>本机：%1</translation>
    </message>
    <message>
        <source>Platform: %1</source>
        <translation>平台：%1</translation>
    </message>
</context>
<context>
    <name>CrashDialog</name>
    <message>
        <source>Xianjie: unexpected error</source>
        <translation>衔接：意外错误</translation>
    </message>
    <message>
        <source>Xianjie ran into an unexpected error. Work saved before this point is kept. Please send the report below to your IT staff.</source>
        <translation>衔接遇到了意外错误。此前已保存的工作不受影响。请把下面的报告发给信息技术人员。</translation>
    </message>
    <message>
        <source>The report was saved to: %1</source>
        <translation>报告已保存到：%1</translation>
    </message>
    <message>
        <source>Copy report</source>
        <translation>复制报告</translation>
    </message>
</context>
<context>
    <name>DashboardLauncher</name>
    <message>
        <source>Dashboard</source>
        <translation>督办看板</translation>
    </message>
    <message>
        <source>Deadlines due and overdue, and the unit&apos;s figures for a period (Ctrl+D)</source>
        <translation>到期与逾期的期限、本单位某一期间的统计数据（Ctrl+D）</translation>
    </message>
    <message>
        <source>Supervision</source>
        <translation>督办</translation>
    </message>
</context>
<context>
    <name>DashboardView</name>
    <message>
        <source>By node</source>
        <translation>按节点</translation>
    </message>
    <message>
        <source>By person</source>
        <translation>按承办人</translation>
    </message>
    <message>
        <source>Transfers and filings per month</source>
        <translation>每月移送与立案</translation>
    </message>
    <message>
        <source>Overdue deadlines by node</source>
        <translation>各节点逾期期限</translation>
    </message>
    <message>
        <source>This month</source>
        <translation>本月</translation>
    </message>
    <message>
        <source>This quarter</source>
        <translation>本季度</translation>
    </message>
    <message>
        <source>This year</source>
        <translation>本年</translation>
    </message>
    <message>
        <source>Custom</source>
        <translation>自定义</translation>
    </message>
    <message>
        <source>Period</source>
        <translation>统计期间</translation>
    </message>
    <message>
        <source>First day (included)</source>
        <translation>起始日（含）</translation>
    </message>
    <message>
        <source>Last day (included)</source>
        <translation>截止日（含）</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>单位</translation>
    </message>
    <message>
        <source>Due soon within</source>
        <translation>即将到期：</translation>
    </message>
    <message>
        <source> days</source>
        <translation> 日内</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Export .xlsx…</source>
        <translation>导出 .xlsx…</translation>
    </message>
    <message>
        <source>Group / case</source>
        <translation>分组／案件</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>已逾期</translation>
    </message>
    <message>
        <source>Due today</source>
        <translation>今日到期</translation>
    </message>
    <message>
        <source>Due soon</source>
        <translation>即将到期</translation>
    </message>
    <message>
        <source>Due at</source>
        <translation>到期时间</translation>
    </message>
    <message>
        <source>Deadline</source>
        <translation>期限</translation>
    </message>
    <message>
        <source>Case number</source>
        <translation>案件编号</translation>
    </message>
    <message>
        <source>Counting…</source>
        <translation>正在统计…</translation>
    </message>
    <message>
        <source>%1, %2</source>
        <translation>%1，%2</translation>
    </message>
    <message>
        <source>Overdue %1 · due today %2 · due within %3 days %4</source>
        <translation>已逾期 %1 项 · 今日到期 %2 项 · %3日内到期 %4 项</translation>
    </message>
    <message>
        <source>Transferred</source>
        <translation>移送</translation>
    </message>
    <message>
        <source>Filed by police</source>
        <translation>公安立案</translation>
    </message>
    <message>
        <source>Export dashboard</source>
        <translation>导出督办看板</translation>
    </message>
    <message>
        <source>Excel workbook (*.xlsx)</source>
        <translation>Excel 工作簿 (*.xlsx)</translation>
    </message>
    <message>
        <source>Exported to %1</source>
        <translation>已导出：%1</translation>
    </message>
</context>
<context>
    <name>EntryLauncher</name>
    <message>
        <source>Close without transfer</source>
        <translation>不移送结案</translation>
    </message>
    <message>
        <source>This case appears to meet a criminal prosecution threshold. Why is it closed with an administrative penalty only? The reason goes to the audit log.</source>
        <translation>本案似已达到刑事立案追诉标准。为何仅作行政处罚结案？理由将记入审计日志。</translation>
    </message>
    <message>
        <source>New case</source>
        <translation>新建案件</translation>
    </message>
    <message>
        <source>Enter a new case to its entry standard (Ctrl+N)</source>
        <translation>按录入标准新建案件（Ctrl+N）</translation>
    </message>
    <message>
        <source>Drafts</source>
        <translation>草稿</translation>
    </message>
    <message>
        <source>Resume a case you have not finished (Ctrl+Shift+D)</source>
        <translation>继续录入未完成的案件（Ctrl+Shift+D）</translation>
    </message>
    <message>
        <source>Edit case</source>
        <translation>修改案件</translation>
    </message>
    <message>
        <source>Edit the open case in the entry wizard (Ctrl+E)</source>
        <translation>在录入向导中修改当前案件（Ctrl+E）</translation>
    </message>
    <message>
        <source>Case entry</source>
        <translation>案件录入</translation>
    </message>
    <message>
        <source>Which kind of case? (entry standard)</source>
        <translation>请选择案件类别（录入标准）：</translation>
    </message>
    <message>
        <source>You have no unfinished drafts.</source>
        <translation>没有未完成的草稿。</translation>
    </message>
    <message>
        <source>(no case name yet)</source>
        <translation>（尚未填写案件名称）</translation>
    </message>
    <message>
        <source>Resume which draft?</source>
        <translation>继续录入哪一份草稿？</translation>
    </message>
    <message>
        <source>Discard draft</source>
        <translation>删除草稿</translation>
    </message>
    <message>
        <source>Open a case first.</source>
        <translation>请先打开一个案件。</translation>
    </message>
    <message>
        <source>The case was closed; the reason is in the audit log.</source>
        <translation>案件已结案，理由已记入审计日志。</translation>
    </message>
</context>
<context>
    <name>EventDialog</name>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>理由</translation>
    </message>
    <message>
        <source>Reason (if any)</source>
        <translation>理由（如有）</translation>
    </message>
    <message>
        <source>Team member %1</source>
        <translation>专案组成员%1</translation>
    </message>
    <message>
        <source>Suspected offence</source>
        <translation>涉嫌罪名</translation>
    </message>
    <message>
        <source>Police unit</source>
        <translation>公安机关</translation>
    </message>
    <message>
        <source>Procuratorate</source>
        <translation>人民检察院</translation>
    </message>
    <message>
        <source>Police unit (if changed)</source>
        <translation>公安机关（如有变更）</translation>
    </message>
    <message>
        <source>Items were seized</source>
        <translation>已查封扣押涉案物品</translation>
    </message>
    <message>
        <source>Testing or appraisal was needed</source>
        <translation>需要检验或鉴定</translation>
    </message>
    <message>
        <source>Obviously over the threshold (transfer at once)</source>
        <translation>明显达到追诉标准（应立即移送）</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>Letter</source>
        <translation>来函类型</translation>
    </message>
    <message>
        <source>The notice states when it was decided</source>
        <translation>通知载明了决定时间</translation>
    </message>
    <message>
        <source>Decided at</source>
        <translation>决定时间</translation>
    </message>
    <message>
        <source>Progress reply before a decision</source>
        <translation>作出决定前的阶段性回复</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Sending unit</source>
        <translation>移送单位</translation>
    </message>
    <message>
        <source>Procuratorial opinion no.</source>
        <translation>检察意见书文号</translation>
    </message>
    <message>
        <source>Reply period</source>
        <translation>回复期限</translation>
    </message>
    <message>
        <source>A period stated in the opinion</source>
        <translation>检察意见载明的期间</translation>
    </message>
    <message>
        <source>A date stated in the opinion</source>
        <translation>检察意见载明的日期</translation>
    </message>
    <message>
        <source>Not stated (default period)</source>
        <translation>未载明（按默认期限）</translation>
    </message>
    <message>
        <source>Period</source>
        <translation>期间</translation>
    </message>
    <message>
        <source>Counted in</source>
        <translation>计算单位</translation>
    </message>
    <message>
        <source>days</source>
        <translation>日</translation>
    </message>
    <message>
        <source>working days</source>
        <translation>工作日</translation>
    </message>
    <message>
        <source>months</source>
        <translation>个月</translation>
    </message>
    <message>
        <source>Reply due on</source>
        <translation>回复截止日期</translation>
    </message>
    <message>
        <source>Decision</source>
        <translation>处罚决定</translation>
    </message>
    <message>
        <source>Criminal fine already paid (yuan, offset)</source>
        <translation>已缴纳罚金（元，折抵）</translation>
    </message>
    <message>
        <source>Detention already served (days, offset)</source>
        <translation>已执行拘留（日，折抵）</translation>
    </message>
    <message>
        <source>Offset note</source>
        <translation>折抵说明</translation>
    </message>
    <message>
        <source>Please state the reason.</source>
        <translation>请填写理由。</translation>
    </message>
    <message>
        <source>Please enter the procuratorial opinion&apos;s number.</source>
        <translation>请填写检察意见书文号。</translation>
    </message>
</context>
<context>
    <name>FigureCard</name>
    <message>
        <source>%1% of %2</source>
        <translation>占 %2 件的 %1%</translation>
    </message>
</context>
<context>
    <name>FirstRunDialog</name>
    <message>
        <source>Welcome to Xianjie</source>
        <translation>欢迎使用衔接</translation>
    </message>
    <message>
        <source>This computer has no Xianjie account yet. Set up your unit, or look around with demo data first.</source>
        <translation>本机还没有衔接账号。请设置本单位，或先用演示数据看看。</translation>
    </message>
    <message>
        <source>Create the unit and its administrator</source>
        <translation>创建本单位及管理员</translation>
    </message>
    <message>
        <source>For real work: enter your unit&apos;s name and code and an admin account.</source>
        <translation>用于正式工作：填写本单位名称、单位代码和管理员账号。</translation>
    </message>
    <message>
        <source>Open demo data</source>
        <translation>打开演示数据</translation>
    </message>
    <message>
        <source>Fills this profile with sample cases and demo accounts (not for real work).</source>
        <translation>在本配置中生成示例案件和演示账号（不可用于正式工作）。</translation>
    </message>
    <message>
        <source>e.g. Xuzhou Ecology and Environment Bureau</source>
        <translation>例如：徐州市生态环境局</translation>
    </message>
    <message>
        <source>District or county</source>
        <translation>区或县</translation>
    </message>
    <message>
        <source>Unit name</source>
        <translation>单位名称</translation>
    </message>
    <message>
        <source>Unit code</source>
        <translation>单位代码</translation>
    </message>
    <message>
        <source>Region / county</source>
        <translation>所在区县</translation>
    </message>
    <message>
        <source>Admin username</source>
        <translation>管理员用户名</translation>
    </message>
    <message>
        <source>Display name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Password again</source>
        <translation>再次输入密码</translation>
    </message>
    <message>
        <source>Create</source>
        <translation>创建</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <source>Creating demo data…</source>
        <translation>正在生成演示数据…</translation>
    </message>
    <message>
        <source>Continue to sign in</source>
        <translation>继续登录</translation>
    </message>
    <message>
        <source>The two passwords do not match.</source>
        <translation>两次输入的密码不一致。</translation>
    </message>
    <message>
        <source>Demo data is ready: %1 cases.</source>
        <translation>演示数据已生成：%1 件案件。</translation>
    </message>
    <message>
        <source>Demo accounts: %1
Password for all of them: %2</source>
        <translation>演示账号：%1
密码均为：%2</translation>
    </message>
    <message>
        <source>Demo data could not be created.</source>
        <translation>演示数据生成失败。</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <source>Sign in to Xianjie</source>
        <translation>登录衔接</translation>
    </message>
    <message>
        <source>&amp;Username</source>
        <translation>用户名(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Password</source>
        <translation>密码(&amp;P)</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>登录</translation>
    </message>
    <message>
        <source>Enter your username and password.</source>
        <translation>请输入用户名和密码。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Xianjie: %1</source>
        <translation>衔接 — %1</translation>
    </message>
    <message>
        <source>Cases</source>
        <translation>案件列表</translation>
    </message>
    <message>
        <source>Search case name, number, party, ID or document text (Ctrl+F)</source>
        <translation>检索案件名称、案号、当事人、证件号或文书内容（Ctrl+F）</translation>
    </message>
    <message>
        <source>All domains</source>
        <translation>全部领域</translation>
    </message>
    <message>
        <source>Domain</source>
        <translation>领域</translation>
    </message>
    <message>
        <source>All statuses</source>
        <translation>全部状态</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Overdue only</source>
        <translation>只看逾期</translation>
    </message>
    <message>
        <source>%1 (%2), %3</source>
        <translation>%1（%2），%3</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation>正在检索…</translation>
    </message>
    <message numerus="yes">
        <source>%n case(s)</source>
        <translation>
            <numerusform>共 %n 件案件</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>NoticeBar</name>
    <message>
        <source>Dismiss</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>PartyListEditor</name>
    <message>
        <source>Organisation</source>
        <translation>单位</translation>
    </message>
    <message>
        <source>Person</source>
        <translation>自然人</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名或名称</translation>
    </message>
    <message>
        <source>ID number / USCC</source>
        <translation>公民身份号码／统一社会信用代码</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>Remove this party</source>
        <translation>删除此当事人</translation>
    </message>
    <message>
        <source>Add party</source>
        <translation>添加当事人</translation>
    </message>
</context>
<context>
    <name>ScanDialog</name>
    <message>
        <source>Scan</source>
        <translation>扫描</translation>
    </message>
    <message>
        <source>Flatbed</source>
        <translation>平板</translation>
    </message>
    <message>
        <source>Document feeder</source>
        <translation>自动送纸器</translation>
    </message>
    <message>
        <source>Feeder, both sides</source>
        <translation>送纸器（双面）</translation>
    </message>
    <message>
        <source>Gray</source>
        <translation>灰度</translation>
    </message>
    <message>
        <source>Colour</source>
        <translation>彩色</translation>
    </message>
    <message>
        <source>Black and white</source>
        <translation>黑白</translation>
    </message>
    <message>
        <source>Scanner</source>
        <translation>扫描仪</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Colour mode</source>
        <translation>色彩模式</translation>
    </message>
    <message>
        <source>Resolution</source>
        <translation>分辨率</translation>
    </message>
    <message>
        <source>Watch a folder…</source>
        <translation>监视文件夹…</translation>
    </message>
    <message>
        <source>Import what a network scanner saves into a folder, as it arrives</source>
        <translation>自动导入网络扫描仪存入文件夹的文件（写完后才导入）</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>No pages yet</source>
        <translation>尚无页面</translation>
    </message>
    <message>
        <source>Rotate left</source>
        <translation>向左旋转</translation>
    </message>
    <message>
        <source>Rotate right</source>
        <translation>向右旋转</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Interleave duplex</source>
        <translation>手动双面合页</translation>
    </message>
    <message>
        <source>Find blank pages</source>
        <translation>查找空白页</translation>
    </message>
    <message>
        <source>Attach to case</source>
        <translation>附加到案件</translation>
    </message>
    <message>
        <source>Attaches the selected pages (all pages if none is selected) as one document</source>
        <translation>把选中的页面（未选中时为全部页面）附加为一份文书</translation>
    </message>
    <message>
        <source>Recognise text (OCR)</source>
        <translation>识别文字（OCR）</translation>
    </message>
    <message>
        <source>No scanner found</source>
        <translation>未找到扫描仪</translation>
    </message>
    <message>
        <source>Choose a scanner first</source>
        <translation>请先选择扫描仪</translation>
    </message>
    <message>
        <source>Scanning…</source>
        <translation>正在扫描…</translation>
    </message>
    <message numerus="yes">
        <source>%n page(s) scanned</source>
        <translation>
            <numerusform>已扫描 %n 页</numerusform>
        </translation>
    </message>
    <message>
        <source>Watch a folder</source>
        <translation>监视文件夹</translation>
    </message>
    <message>
        <source>Stop watching</source>
        <translation>停止监视</translation>
    </message>
    <message>
        <source>Watching %1</source>
        <translation>正在监视 %1</translation>
    </message>
    <message>
        <source>Encrypted PDF</source>
        <translation>加密的 PDF</translation>
    </message>
    <message>
        <source>Password for %1:</source>
        <translation>“%1”的密码：</translation>
    </message>
    <message numerus="yes">
        <source>%n page(s)</source>
        <translation>
            <numerusform>共 %n 页</numerusform>
        </translation>
    </message>
    <message>
        <source>Pages that look blank: %1</source>
        <translation>疑似空白页：%1（请确认后再删除）</translation>
    </message>
    <message>
        <source>No blank pages found</source>
        <translation>未发现空白页</translation>
    </message>
    <message>
        <source>There are no pages to attach</source>
        <translation>没有可附加的页面</translation>
    </message>
    <message numerus="yes">
        <source>Attached to the case as one document of %n page(s)</source>
        <translation>
            <numerusform>已作为一份文书（共 %n 页）附加到案件</numerusform>
        </translation>
    </message>
    <message>
        <source>Found in the text: %1</source>
        <translation>文中找到：%1（仅供参考，请核对后填写）</translation>
    </message>
    <message>
        <source>Import files…</source>
        <translation>导入文件…</translation>
    </message>
    <message>
        <source>Import files</source>
        <translation>导入文件</translation>
    </message>
    <message numerus="yes">
        <source>(%n page(s))</source>
        <translation>
            <numerusform>（共 %n 页）</numerusform>
        </translation>
    </message>
    <message>
        <source>Scan or import documents…</source>
        <translation>扫描或导入文书…</translation>
    </message>
</context>
<context>
    <name>Startup</name>
    <message>
        <source>Xianjie cannot start</source>
        <translation>衔接无法启动</translation>
    </message>
</context>
<context>
    <name>SyncIndicator</name>
    <message>
        <source>Platform: not connected</source>
        <translation>平台：未连接</translation>
    </message>
    <message>
        <source>syncing…</source>
        <translation>正在同步…</translation>
    </message>
    <message>
        <source>offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <source>needs attention</source>
        <translation>需要处理</translation>
    </message>
    <message>
        <source>waiting to send</source>
        <translation>等待发送</translation>
    </message>
    <message>
        <source>up to date</source>
        <translation>已是最新</translation>
    </message>
    <message>
        <source>Sync: %1</source>
        <translation>同步：%1</translation>
    </message>
    <message>
        <source>%1 to send</source>
        <translation>待发送 %1 条</translation>
    </message>
    <message>
        <source>%1 conflicts</source>
        <translation>冲突 %1 处</translation>
    </message>
    <message>
        <source>%1 refused</source>
        <translation>被拒绝 %1 条</translation>
    </message>
    <message>
        <source>last success %1 UTC</source>
        <translation>上次成功 %1（UTC）</translation>
    </message>
    <message>
        <source>Platform: …</source>
        <translation>平台：…</translation>
    </message>
    <message>
        <source>Sync now</source>
        <translation>立即同步</translation>
    </message>
    <message>
        <source>Send what is saved here and fetch the platform&apos;s changes</source>
        <translation>发送本机已保存的内容，并获取平台上的更新</translation>
    </message>
    <message>
        <source>Conflicts…</source>
        <translation>冲突…</translation>
    </message>
    <message>
        <source>Choose, field by field, which edits to keep</source>
        <translation>逐个字段选择保留哪一方的修改</translation>
    </message>
</context>
<context>
    <name>ThresholdBanner</name>
    <message>
        <source>Close without transfer (reason required)…</source>
        <translation>不移送，仅作行政处罚结案（须填写理由）…</translation>
    </message>
    <message>
        <source>This case appears to meet the criminal prosecution threshold for %1; consider transferring it to the police.</source>
        <translation>本案似已达到%1的刑事立案追诉标准，请考虑移送公安机关。</translation>
    </message>
    <message>
        <source>Aggravated circumstances:</source>
        <translation>加重情节（情节严重／特别严重）：</translation>
    </message>
    <message>
        <source>Also for your judgement:</source>
        <translation>另有需人工判断的情形：</translation>
    </message>
    <message>
        <source> (rule not verified)</source>
        <translation>（规则未核实）</translation>
    </message>
    <message>
        <source>Source: %1</source>
        <translation>依据：%1</translation>
    </message>
</context>
<context>
    <name>WizardDialog</name>
    <message>
        <source>New case: %1</source>
        <translation>新建案件：%1</translation>
    </message>
    <message>
        <source>Edit case: %1</source>
        <translation>修改案件：%1</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>上一步</translation>
    </message>
    <message>
        <source>Next (Ctrl+Enter)</source>
        <translation>下一步（Ctrl+Enter）</translation>
    </message>
    <message>
        <source>Save draft and close</source>
        <translation>保存草稿并关闭</translation>
    </message>
    <message>
        <source>Finish and save case</source>
        <translation>完成并保存案件</translation>
    </message>
    <message>
        <source>(not applicable)</source>
        <translation>（不适用）</translation>
    </message>
    <message>
        <source>Completeness %1/100</source>
        <translation>完整度 %1/100</translation>
    </message>
    <message>
        <source>Enter on the platform by %1</source>
        <translation>平台录入期限：%1 前</translation>
    </message>
    <message>
        <source> (deadline not verified)</source>
        <translation>（期限未核实）</translation>
    </message>
</context>
<context>
    <name>WorkflowPanel</name>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>Deadline</source>
        <translation>时限</translation>
    </message>
    <message>
        <source>Owed by</source>
        <translation>责任方</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>截止时间</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>依据</translation>
    </message>
    <message>
        <source>Next steps</source>
        <translation>下一步</translation>
    </message>
    <message>
        <source>Transfer material</source>
        <translation>移送材料</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Generate document</source>
        <translation>生成文书</translation>
    </message>
    <message>
        <source>Open / print</source>
        <translation>打开/打印</translation>
    </message>
    <message>
        <source>Opens the PDF in the system viewer to print it</source>
        <translation>用系统阅读器打开 PDF，从中打印</translation>
    </message>
    <message>
        <source>Status: %1 · Transfer: %2 · Referral back: %3</source>
        <translation>案件状态：%1 · 正向移送：%2 · 反向移送：%3</translation>
    </message>
    <message>
        <source>Nothing is owed now.</source>
        <translation>当前没有待办事项。</translation>
    </message>
    <message>
        <source>Steps on the timeline that do not fit the workflow: %1</source>
        <translation>时间线上有不符合流程的节点：%1</translation>
    </message>
    <message>
        <source> (head)</source>
        <translation>（负责人）</translation>
    </message>
    <message>
        <source>Recorded: %1</source>
        <translation>已记录：%1</translation>
    </message>
    <message>
        <source>Document generated and stored with the case: %1</source>
        <translation>文书已生成并存入案件：%1</translation>
    </message>
</context>
</TS>
