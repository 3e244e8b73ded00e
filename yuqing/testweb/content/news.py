"""News articles of the test web's news site (``/news/``).

The encodings are deliberately mixed the way Chinese sites mix them: some GBK
pages say so in the HTTP header, some only in a ``<meta charset=gb2312>`` that
understates the real codec, one says nothing at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Article:
    slug: str
    lang: str
    section: str
    title: str
    source_name: str
    """Publisher shown in the byline (``来源：滨海日报``)."""
    author: str
    byline: str
    """``info`` (来源/作者 line), ``reporter`` (本报讯（记者 X）in the lead) or ``by``."""
    published: str
    """Local Asia/Shanghai time, ``YYYY-MM-DD HH:MM``."""
    encoding: str
    """Codec of the served bytes: ``utf-8``, ``gbk`` or ``gb18030``."""
    charset_declared: str
    """Where the charset is declared: ``header`` (and meta), ``meta`` only, or ``none``."""
    meta_time: bool
    """Whether ``article:published_time`` and friends are in ``<head>``."""
    summary: str
    tags: tuple[str, ...]
    paragraphs: tuple[str, ...]
    must_contain: str
    comments: int
    related: tuple[str, ...] = field(default=())
    """Slugs of related articles, shown in the related-links block."""

    @property
    def path(self) -> str:
        return f"/news/{self.published[:4]}/{self.published[5:7]}/{self.slug}.html"


ARTICLES: tuple[Article, ...] = (
    Article(
        slug="xianweifang-kitchen-video",
        lang="zh",
        section="社会",
        title="鲜味坊滨海万达店后厨视频引发关注 市场监管部门连夜检查",
        source_name="滨海日报",
        author="张晓岚",
        byline="info",
        published="2025-11-18 09:12",
        encoding="gbk",
        charset_declared="header",
        meta_time=True,
        summary="一段疑似鲜味坊门店后厨使用过期食材的视频在网上流传，滨海市市场监管局已连夜对涉事门店开展检查。",
        tags=("食品安全", "鲜味坊", "市场监管"),
        paragraphs=(
            "11月17日晚，一段时长约两分钟的视频在本地社交平台流传。视频显示，连锁快餐品牌鲜味坊滨海万达店的后厨冷柜内，"
            "多包标签日期已过的冷冻鸡腿肉与当天备餐的食材混放在一起，拍摄者称自己是该店的前员工。",
            "视频发布后迅速引发网友讨论，截至18日上午，相关话题阅读量已超过2300万。不少网友表示，自己经常带孩子到该店就餐，"
            "“看完视频心里很不是滋味”。",
            "记者18日早上赶到涉事门店时，店门已经贴出“内部整改，暂停营业”的告示。滨海市市场监管局相关负责人介绍，"
            "执法人员17日晚十一时许到达现场，对后厨冷藏设备、进货台账和食材标签进行了逐项核查，并现场封存了疑似过期的冷冻肉品共计37公斤。",
            "该负责人表示，封存样品已送检，检测结果预计在三个工作日内出炉，若查实存在使用过期食材的行为，将依法从严处理，"
            "并对该品牌在全市的其余十四家门店开展专项检查。",
            "鲜味坊品牌方当天上午通过官方账号发布声明，称“高度重视，已成立专项工作组”，承诺全力配合调查，并表示涉事门店店长已被停职。"
            "声明同时称，视频拍摄时间“可能并非近期”，具体情况有待核实。",
            "食品安全专家、滨海职业技术学院副教授周明远接受采访时说，连锁餐饮的问题往往出在门店执行环节，“总部制度写得再好，"
            "落到后厨的最后一米也可能走样”。他建议监管部门推动明厨亮灶和进货台账电子化，让消费者也能看得见。",
        ),
        must_contain="现场封存了疑似过期的冷冻肉品共计37公斤",
        comments=1286,
        related=("xianweifang-inspection-result", "xianweifang-stores-shut-en"),
    ),
    Article(
        slug="qingxi-flood-relocation",
        lang="zh",
        section="国内",
        title="江西清溪县遭遇强降雨 两万余名群众连夜转移安置",
        source_name="赣江晚报",
        author="刘振华",
        byline="reporter",
        published="2025-07-03 16:40",
        encoding="gbk",
        charset_declared="header",
        meta_time=False,
        summary="受持续强降雨影响，江西省清溪县多条河流水位超警，当地已转移安置群众两万余人。",
        tags=("防汛", "江西", "清溪县"),
        paragraphs=(
            "本报讯（记者 刘振华）7月2日夜间至3日凌晨，江西省清溪县普降大到暴雨，局部地区三小时降雨量超过180毫米，"
            "县城附近的清溪河水位一度超过警戒水位2.3米。",
            "清溪县防汛抗旱指挥部于2日晚九时启动防汛二级应急响应，组织干部群众对沿河低洼地带进行逐户排查。"
            "截至3日下午四时，全县累计转移安置群众两万一千余人，暂无人员伤亡报告。",
            "在县第二中学设立的临时安置点，记者看到，教室里铺好了折叠床和被褥，志愿者正在分发饮用水和方便食品。"
            "从沿河村转移过来的村民王桂英说：“半夜村干部挨家挨户敲门，东西都没来得及收拾，人先出来了，心里踏实。”",
            "受降雨影响，清溪县境内两条县道出现塌方，部分乡镇供电一度中断。电力抢修队伍已于3日上午抵达现场，"
            "截至发稿时，已有九成受影响用户恢复供电。",
            "气象部门预计，未来三天当地仍有中到大雨，防汛形势依然严峻。县防指提醒群众不要在雨天前往河道、山塘等危险区域，"
            "不要擅自返回已转移的危险住所。",
        ),
        must_contain="全县累计转移安置群众两万一千余人",
        comments=342,
        related=("qingxi-flood-rebuild", "qingxi-flood-relief-en"),
    ),
    Article(
        slug="aurora-s7-recall",
        lang="zh",
        section="汽车",
        title="极光汽车召回42316辆极光S7 部分电池模组存在短路风险",
        source_name="滨海日报",
        author="陈思远",
        byline="info",
        published="2025-10-21 10:05",
        encoding="gbk",
        charset_declared="header",
        meta_time=True,
        summary="极光汽车宣布召回部分极光S7纯电动车，原因是个别批次电池模组在极端工况下可能发生内部短路。",
        tags=("召回", "极光汽车", "新能源汽车", "动力电池"),
        paragraphs=(
            "极光汽车21日发布公告称，将自2025年11月5日起召回生产日期在2024年3月至2024年11月之间的部分极光S7纯电动汽车，共计42316辆。",
            "公告显示，本次召回范围内的车辆，由于供应商生产过程中个别批次电芯的隔膜存在瑕疵，在长时间大功率快充等极端工况下，"
            "电池模组可能发生内部短路，极端情况下存在起火风险。",
            "极光汽车表示，将为召回范围内的车辆免费更换存在隐患的电池模组，更换期间可为车主提供代步车。"
            "在完成更换前，厂商建议车主将快充功率限制在80千瓦以下，并避免将电量长时间保持在95%以上。",
            "据了解，今年以来已有多位车主在网络平台反映极光S7在快充后出现电池温度告警的情况，其中一起发生在浙江的车辆自燃事件"
            "曾引发较大关注，事故原因当时尚未公布。",
            "汽车行业分析人士吴海涛认为，主动召回说明企业愿意直面问题，但四万多辆的规模对一家年销量不足二十万辆的新势力来说压力不小，"
            "“更换周期和服务体验，将决定这次召回最终是加分还是减分”。",
            "车主可拨打极光汽车客服热线或登录官方应用查询自己的车辆是否在召回范围内。",
        ),
        must_contain="电池模组可能发生内部短路，极端情况下存在起火风险",
        comments=2104,
        related=("aurora-response-owners", "aurora-recall-en"),
    ),
    Article(
        slug="donglan-admissions-probe",
        lang="zh",
        section="教育",
        title="东岚大学特殊类型招生被指违规 省教育厅成立调查组",
        source_name="南岭教育报",
        author="王䶮",
        byline="info",
        published="2025-09-08 19:30",
        encoding="gb18030",
        charset_declared="meta",
        meta_time=False,
        summary="有考生家长实名反映东岚大学今年特殊类型招生中存在材料审核不严等问题，省教育厅已介入调查。",
        tags=("高校招生", "东岚大学", "教育公平"),
        paragraphs=(
            "近日，多名考生家长实名反映，东岚大学2025年特殊类型招生中，有考生提交的竞赛获奖证明存在疑点，"
            "却仍然通过了材料审核并获得降分录取资格。",
            "据家长提供的材料，一名考生提交的省级科技创新大赛一等奖证书，在大赛主办方公布的获奖名单中查询不到。"
            "家长李女士说：“我们不是要为难哪个孩子，只是希望规则对所有人都一样。”",
            "9月8日下午，省教育厅发布情况通报称，已成立由纪检、招生、高校管理等部门人员组成的联合调查组进驻东岚大学，"
            "对今年特殊类型招生的材料审核、专家评议和录取环节进行全面核查。",
            "东岚大学当晚回应称，学校已暂停涉事三名招生工作人员的职务，并将全力配合调查，"
            "“如发现违规行为，坚决依法依规处理，绝不姑息”。",
            "教育学者指出，特殊类型招生本意是为具有专长的学生开辟通道，但材料真实性核验一直是薄弱环节。"
            "他建议推动获奖信息与主办机构数据库联网核验，减少人工审核的空间。",
            "目前，调查仍在进行中，本报将持续关注。",
        ),
        must_contain="成立由纪检、招生、高校管理等部门人员组成的联合调查组",
        comments=3551,
        related=("donglan-admissions-en",),
    ),
    Article(
        slug="binhai-metro-line5-opens",
        lang="zh",
        section="城市",
        title="滨海地铁5号线今日开通初期运营 首日客流超31万人次",
        source_name="滨海晚报",
        author="赵一喆",
        byline="reporter",
        published="2025-11-15 07:45",
        encoding="gbk",
        charset_declared="meta",
        meta_time=True,
        summary="滨海地铁5号线一期工程正式开通初期运营，全长27.6公里，设车站19座，串联老城区与滨海新区。",
        tags=("地铁", "城市交通", "滨海"),
        paragraphs=(
            "本报讯（记者 赵一喆）11月15日早上6时整，随着首班列车从北湖公园站缓缓驶出，滨海地铁5号线一期工程正式开通初期运营。",
            "5号线一期全长27.6公里，共设车站19座，其中换乘站6座，串联起老城区、高铁西站和滨海新区。"
            "线路开通后，从高铁西站到新区会展中心的通行时间由原来的一个多小时缩短至38分钟。",
            "首班车上，家住北湖片区的退休教师孙阿姨特意早起赶来“尝鲜”：“以前去新区看外孙要倒两趟公交，以后一趟地铁就到了。”",
            "据滨海地铁运营公司统计，开通首日5号线客流达31.4万人次，高于此前预测。早高峰期间，运营方在客流较大的会展中心站"
            "增派了工作人员，采取分批进站等措施，未出现明显拥堵。",
            "运营公司介绍，初期运营阶段行车间隔为早晚高峰4分30秒、平峰6分钟，后续将根据客流变化逐步加密。"
            "此外，5号线全线车站均已实现手机扫码、银行卡闪付等多种方式进出站。",
            "也有乘客反映，部分车站出入口指引标识不够清晰，个别换乘通道步行距离较长。对此，运营公司表示已收集乘客意见，将尽快优化。",
        ),
        must_contain="开通首日5号线客流达31.4万人次",
        comments=967,
        related=("binhai-line5-opens-en",),
    ),
    Article(
        slug="stellar-x9-battery-complaints",
        lang="zh",
        section="科技",
        title="星耀X9系统更新后耗电快发热大 用户集中投诉",
        source_name="科技前沿周刊",
        author="许嘉怡",
        byline="info",
        published="2025-08-15 21:18",
        encoding="gbk",
        charset_declared="none",
        meta_time=False,
        summary="不少星耀X9用户反映，升级至3.2版本系统后手机待机耗电明显加快，充电时机身发烫。",
        tags=("消费投诉", "星耀手机", "智能手机"),
        paragraphs=(
            "近一周来，多个消费投诉平台上关于星耀X9手机的投诉明显增多。用户普遍反映，手机在升级至3.2版本系统后，"
            "待机一晚电量会掉15%到20%，充电时背部温度明显升高。",
            "在某投诉平台上，一位网名为“夜跑的阿杰”的用户写道：“早上出门满电，下午三点就提示低电量，之前从来没有这样过。”"
            "截至15日晚，该平台上与星耀X9续航相关的投诉已有1400余条。",
            "记者以消费者身份联系星耀手机客服，客服人员表示已收到相关反馈，技术团队正在排查，建议用户暂时关闭后台应用自动刷新功能，"
            "并表示新的修复补丁“预计在两周内推送”。",
            "15日晚间，星耀手机官方发布说明称，问题与新版本系统中一项后台索引服务有关，部分用户在升级后首次完成数据迁移前会出现耗电偏高的情况，"
            "“不存在硬件质量问题，请用户放心使用”。",
            "但也有用户对这一解释并不买账。消费者权益保护律师杨帆提醒，如果产品在保修期内因系统更新出现性能明显下降，"
            "消费者可以要求商家给出书面检测结论，必要时依法主张维修、更换等权利。",
        ),
        must_contain="待机一晚电量会掉15%到20%",
        comments=815,
        related=("stellar-x9-overheating-en",),
    ),
    Article(
        slug="xianweifang-inspection-result",
        lang="zh",
        section="社会",
        title="鲜味坊涉事门店检测结果公布 全市门店专项检查发现7项问题",
        source_name="滨海日报",
        author="张晓岚",
        byline="info",
        published="2025-11-20 15:00",
        encoding="utf-8",
        charset_declared="header",
        meta_time=True,
        summary="滨海市市场监管局通报鲜味坊滨海万达店检查结果，涉事门店被罚款并责令停业整顿。",
        tags=("食品安全", "鲜味坊", "通报"),
        paragraphs=(
            "11月20日下午，滨海市市场监管局通报了鲜味坊滨海万达店的调查处理情况。通报显示，现场封存的37公斤冷冻肉品中，"
            "有12.5公斤已超过保质期，其余产品检测指标合格。",
            "根据《中华人民共和国食品安全法》相关规定，监管部门对该门店作出没收违法所得、罚款15万元的行政处罚，"
            "并责令其停业整顿，整改验收合格前不得恢复营业。",
            "通报还提到，执法人员在过去三天对鲜味坊在全市的其余十四家门店进行了专项检查，共发现7项问题，"
            "主要涉及进货查验记录不全、部分员工健康证过期、冷藏设备温度记录缺失等，均已责令限期整改。",
            "鲜味坊品牌方当天回应称，接受处罚决定，将在全国门店推行后厨直播和食材效期电子化管理，“用透明换回信任”。",
            "对此，有网友留言表示，“处理速度值得肯定，关键看以后能不能一直做到”；也有网友认为罚款力度偏轻。"
            "市场监管部门表示，将把该品牌纳入重点监管名单，增加飞行检查频次。",
        ),
        must_contain="有12.5公斤已超过保质期",
        comments=1744,
        related=("xianweifang-kitchen-video", "xianweifang-stores-shut-en"),
    ),
    Article(
        slug="qingxi-flood-rebuild",
        lang="zh",
        section="国内",
        title="雨停之后：清溪县灾后重建进行时",
        source_name="赣江晚报",
        author="刘振华",
        byline="reporter",
        published="2025-07-10 11:20",
        encoding="utf-8",
        charset_declared="header",
        meta_time=False,
        summary="洪水退去一周，清溪县受灾群众陆续返乡，道路、电力和校舍修复工作全面铺开。",
        tags=("防汛", "灾后重建", "江西"),
        paragraphs=(
            "本报讯（记者 刘振华）洪水退去一周，清溪县沿河村的村民陆续回到了家中。村口的晒谷场上，堆满了从各家搬出来晾晒的被褥和家具。",
            "“水最深的时候淹到了窗台，好在人都提前转移了。”村民陈德福一边清理院子里的淤泥一边说，"
            "村里的党员突击队和外地赶来的志愿者已经帮他家清运了三车垃圾。",
            "清溪县应急管理局介绍，截至7月9日，全县已有1.8万名转移群众安全返家，仍在集中安置点的群众由政府统一保障食宿。"
            "受损的两条县道已完成抢通，全县供电、供水和通信全部恢复。",
            "为确保秋季学期正常开学，县教育部门对受淹的11所中小学校舍进行了安全鉴定，目前已有8所完成清淤消杀。",
            "县里还组织保险机构开设理赔绿色通道，对农房、农作物和养殖损失“应赔尽赔、快赔早赔”。"
            "截至目前，已预付赔款860余万元。",
            "“房子可以修，庄稼明年可以再种，”陈德福说，“最要紧的是人都平平安安。”",
        ),
        must_contain="已预付赔款860余万元",
        comments=128,
        related=("qingxi-flood-relocation", "qingxi-flood-relief-en"),
    ),
    Article(
        slug="aurora-response-owners",
        lang="zh",
        section="汽车",
        title="极光汽车回应召回进展：首批电池模组已到店 车主可预约更换",
        source_name="滨海晚报",
        author="陈思远",
        byline="info",
        published="2025-10-23 18:02",
        encoding="utf-8",
        charset_declared="header",
        meta_time=True,
        summary="极光汽车表示首批替换电池模组已送达各地服务中心，车主可通过官方应用预约，单车更换约需6小时。",
        tags=("召回", "极光汽车", "售后服务"),
        paragraphs=(
            "针对此前宣布的极光S7召回，极光汽车23日召开媒体沟通会介绍最新进展。公司售后服务副总裁林可欣表示，"
            "首批约6000套替换电池模组已送达全国86家服务中心，车主即日起可通过官方应用预约更换。",
            "林可欣介绍，单车更换作业约需6小时，服务中心将按照车辆生产批次和风险等级分批安排，"
            "高风险批次车辆将优先处理，预计全部更换工作在2026年3月底前完成。",
            "对于部分车主担心的排队时间过长问题，极光汽车表示已增开周末和夜间服务时段，并为等待期间的车主提供每月一次的免费电池健康检测。",
            "沟通会上，公司还首次公开回应了此前浙江车辆自燃事件，称经联合调查，该事故与本次召回涉及的电芯瑕疵存在关联，"
            "公司已与车主达成和解。",
            "不少车主对召回安排表示认可。车主群里一位网友说：“问题出了不可怕，态度和效率最重要。”"
            "也有车主希望厂家对换下的电池模组给出更详细的检测报告。",
        ),
        must_contain="首批约6000套替换电池模组已送达全国86家服务中心",
        comments=655,
        related=("aurora-s7-recall", "aurora-recall-en"),
    ),
    Article(
        slug="aurora-recall-en",
        lang="en",
        section="Business",
        title="Aurora Motors recalls 42,316 S7 electric cars over battery short-circuit risk",
        source_name="Coastal Herald",
        author="Jane Whitfield",
        byline="by",
        published="2025-10-21 14:30",
        encoding="utf-8",
        charset_declared="header",
        meta_time=True,
        summary="Aurora Motors will replace battery modules in more than 42,000 S7 sedans after finding a separator flaw in some cells.",
        tags=("recall", "Aurora Motors", "electric vehicles"),
        paragraphs=(
            "Aurora Motors, the electric-car maker known in China as Jiguang Qiche, said on Tuesday it would recall 42,316 of its S7 sedans "
            "built between March and November 2024 because some battery modules could short-circuit internally.",
            "The company traced the problem to a batch of cells from a supplier whose separator film had microscopic defects. "
            "Under sustained high-power fast charging, the flaw could let a cell overheat and, in extreme cases, catch fire.",
            "Owners will receive replacement battery modules free of charge starting November 5, along with a loaner car while the work is done. "
            "Until then, Aurora advises drivers to keep fast-charging power below 80 kW and avoid leaving the battery above 95 percent for long periods.",
            "The recall follows months of complaints on owner forums about temperature warnings after fast charging. "
            "A vehicle fire in Zhejiang province in the summer drew wide attention, although its cause had not been made public.",
            "\"A voluntary recall of this size is painful for a young company, but hiding the problem would have been far worse,\" "
            "said Tom Lindqvist, an analyst who follows China's EV sector. \"The real test is how quickly they can get cars through the service centers.\"",
            "Aurora delivered about 180,000 vehicles last year. Its shares fell 3.2 percent in morning trading.",
        ),
        must_contain="separator film had microscopic defects",
        comments=214,
        related=("aurora-s7-recall", "aurora-owners-survey-en"),
    ),
    Article(
        slug="binhai-line5-opens-en",
        lang="en",
        section="City",
        title="Binhai Metro Line 5 opens, cutting cross-town trips to 38 minutes",
        source_name="Coastal Herald",
        author="Daniel Okafor",
        byline="by",
        published="2025-11-15 18:10",
        encoding="utf-8",
        charset_declared="header",
        meta_time=False,
        summary="The 27.6-kilometre line links the old town, the west high-speed rail station and the new district.",
        tags=("metro", "transport", "Binhai"),
        paragraphs=(
            "Binhai's long-awaited Metro Line 5, the city's fifth subway line, carried its first passengers on Saturday morning, "
            "linking the old town with the west high-speed rail station and the fast-growing new district.",
            "The 27.6-kilometre first phase has 19 stations, six of them interchanges. A trip from the rail station to the new "
            "convention center now takes 38 minutes, down from more than an hour by bus.",
            "The operator counted 314,000 passenger trips on opening day, above its own forecast. Staff managed queues at the busiest "
            "stations by letting passengers in batches during the morning peak.",
            "\"I used to change buses twice to visit my grandson,\" said a retired teacher waiting on the platform at Beihu Park. "
            "\"Now it is one train.\"",
            "Trains will run every four and a half minutes at peak hours and every six minutes otherwise during the trial operation period. "
            "Some riders complained that exit signs at a few stations were hard to follow; the operator said it would improve them.",
        ),
        must_contain="314,000 passenger trips on opening day",
        comments=57,
        related=("binhai-metro-line5-opens",),
    ),
    Article(
        slug="qingxi-flood-relief-en",
        lang="en",
        section="China",
        title="Thousands moved to safety as floods hit Jiangxi's Qingxi county",
        source_name="Coastal Herald",
        author="Mei Lin Harper",
        byline="by",
        published="2025-07-03 20:05",
        encoding="utf-8",
        charset_declared="header",
        meta_time=True,
        summary="More than 21,000 residents of Qingxi county were evacuated overnight as torrential rain pushed rivers above warning levels.",
        tags=("floods", "Jiangxi", "disaster relief"),
        paragraphs=(
            "Authorities in Qingxi county, in China's Jiangxi province, moved more than 21,000 people out of low-lying areas overnight "
            "after torrential rain sent the Qingxi River 2.3 metres above its warning level.",
            "Some areas received more than 180 millimetres of rain in three hours between Wednesday night and Thursday morning. "
            "No casualties had been reported by Thursday afternoon.",
            "Local officials went door to door along the river after the county raised its flood emergency response to level II. "
            "Evacuees were housed in schools, where volunteers handed out bedding, bottled water and instant meals.",
            "Landslides blocked two county roads and cut power to several townships. Repair crews had restored electricity to "
            "about 90 percent of affected households by the afternoon.",
            "Forecasters expect more heavy rain over the next three days, and residents have been told not to return to evacuated homes.",
        ),
        must_contain="2.3 metres above its warning level",
        comments=33,
        related=("qingxi-flood-relocation", "qingxi-flood-rebuild"),
    ),
    Article(
        slug="stellar-x9-overheating-en",
        lang="en",
        section="Technology",
        title="Stellar X9 owners report battery drain and overheating after software update",
        source_name="Gadget Ledger",
        author="Priya Raman",
        byline="by",
        published="2025-08-16 09:00",
        encoding="utf-8",
        charset_declared="header",
        meta_time=False,
        summary="Complaints about the Stellar X9's battery life have surged since version 3.2 of its operating system rolled out.",
        tags=("smartphones", "Stellar", "consumer complaints"),
        paragraphs=(
            "Owners of the Stellar X9 smartphone say their phones have been losing charge much faster since the company pushed "
            "version 3.2 of its operating system last week.",
            "On one consumer complaint platform, more than 1,400 posts about the X9's battery appeared within days. Many users say "
            "the phone loses 15 to 20 percent overnight on standby and grows uncomfortably warm while charging.",
            "Stellar said in a statement that a background indexing service introduced in the update was to blame, and that the drain "
            "should stop once the phone finishes migrating its data. \"There is no hardware quality issue,\" the company said.",
            "Not everyone is convinced. \"If an update makes a phone under warranty measurably worse, customers are entitled to ask for "
            "a written diagnosis,\" said consumer-rights lawyer Fan Yang.",
            "Stellar says a fix will ship within two weeks. Until then it recommends turning off automatic background refresh for apps.",
        ),
        must_contain="loses 15 to 20 percent overnight on standby",
        comments=96,
        related=("stellar-x9-battery-complaints",),
    ),
    Article(
        slug="xianweifang-stores-shut-en",
        lang="en",
        section="Business",
        title="Fast-food chain Xianweifang fined after expired meat found in Binhai kitchen",
        source_name="Coastal Herald",
        author="Jane Whitfield",
        byline="by",
        published="2025-11-20 21:45",
        encoding="utf-8",
        charset_declared="header",
        meta_time=True,
        summary="Regulators fined the Binhai Wanda outlet 150,000 yuan and ordered it closed until it passes inspection.",
        tags=("food safety", "Xianweifang", "regulation"),
        paragraphs=(
            "Market regulators in Binhai fined a branch of the fast-food chain Xianweifang 150,000 yuan on Thursday after tests showed "
            "that 12.5 kilograms of frozen chicken seized from its kitchen were past their expiry date.",
            "The inspection was triggered by a video, filmed by a man who said he was a former employee, that spread widely on social media "
            "earlier in the week. The clip showed expired packages stored next to ingredients being prepared for the day.",
            "Inspectors also visited the chain's other 14 outlets in the city and found seven problems, including incomplete purchase "
            "records and lapsed staff health certificates.",
            "Xianweifang said it accepted the penalty and would livestream its kitchens and track ingredient expiry dates electronically "
            "in all of its restaurants nationwide.",
            "Reaction online was mixed. Some users praised the speed of the investigation, while others argued the fine was too small "
            "to deter a chain of Xianweifang's size.",
        ),
        must_contain="livestream its kitchens and track ingredient expiry dates",
        comments=71,
        related=("xianweifang-kitchen-video", "xianweifang-inspection-result"),
    ),
    Article(
        slug="donglan-admissions-en",
        lang="en",
        section="Education",
        title="Province investigates Donglan University over special admissions",
        source_name="Campus Observer",
        author="Kevin Zhou",
        byline="by",
        published="2025-09-09 08:15",
        encoding="utf-8",
        charset_declared="header",
        meta_time=False,
        summary="Parents say award certificates used to win lower admission scores could not be verified.",
        tags=("education", "admissions", "Donglan University"),
        paragraphs=(
            "The provincial education department has sent an investigation team to Donglan University after parents complained that "
            "some students were admitted under a special-talent scheme with award certificates that could not be verified.",
            "One certificate for a provincial science and innovation prize did not appear on the organizer's published list of winners, "
            "according to documents shared by the parents.",
            "\"We are not trying to punish any child. We just want the same rules for everyone,\" said one mother, who asked to be "
            "identified only by her surname, Li.",
            "The university said it had suspended three admissions staff members and would cooperate fully with the investigation.",
            "Education researchers say special admissions channels are meant to reward genuine talent, but verifying paper certificates "
            "by hand leaves room for abuse. They have called for award records to be checked directly against organizers' databases.",
            "The investigation team will review document checks, expert interviews and final admission decisions for this year's intake.",
        ),
        must_contain="suspended three admissions staff members",
        comments=402,
        related=("donglan-admissions-probe",),
    ),
    Article(
        slug="aurora-owners-survey-en",
        lang="en",
        section="Business",
        title="Survey: most Aurora S7 owners satisfied with recall handling so far",
        source_name="Gadget Ledger",
        author="Priya Raman",
        byline="by",
        published="2025-11-12 12:00",
        encoding="utf-8",
        charset_declared="header",
        meta_time=True,
        summary="An owners' club poll finds 71 percent of respondents rate the battery replacement process as good or very good.",
        tags=("recall", "Aurora Motors", "survey"),
        paragraphs=(
            "Three weeks into Aurora Motors' battery recall, a majority of S7 owners say they are happy with how it is going, "
            "according to a poll by an independent owners' club.",
            "Of 2,380 owners who answered the online survey, 71 percent rated the replacement process as good or very good. "
            "Only 9 percent called it poor, mostly citing long waits for an appointment.",
            "Owners praised the loaner cars and the evening service slots Aurora added in October. \"I dropped the car off after work "
            "and picked it up the next morning,\" one respondent wrote.",
            "The most common request was for more detail about what the company found when it tested the battery modules it removed.",
            "Aurora says it has replaced modules in about 11,000 cars so far and expects to finish by the end of March 2026.",
        ),
        must_contain="71 percent rated the replacement process as good or very good",
        comments=45,
        related=("aurora-recall-en", "aurora-response-owners"),
    ),
)

# RSS lists everything; Atom carries only the latest items, like many real sites.
ATOM_SLUGS = (
    "xianweifang-stores-shut-en",
    "xianweifang-inspection-result",
    "xianweifang-kitchen-video",
    "binhai-metro-line5-opens",
    "binhai-line5-opens-en",
    "aurora-owners-survey-en",
)

BY_SLUG = {a.slug: a for a in ARTICLES}
