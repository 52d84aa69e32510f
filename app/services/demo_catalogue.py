"""The vocabulary demo data is made from: Xuzhou's divisions and units, names, companies,
case types with fact templates, and the documents each procedural node produces.

Demo data only (never a rule the app applies): the legal thresholds quoted in the fact
templates follow domain.md §7 so that generated transfers look like real ones.
"""

from dataclasses import dataclass

# --- Divisions (GB/T 2260) -------------------------------------------------------------------


@dataclass(frozen=True)
class Division:
    code: str  # 6-digit division code
    name: str  # 铜山区
    short: str  # 铜山 (used in unit names)
    abbr: str  # 铜 (used in document numbers)
    towns: tuple[str, ...]
    old_code: str = ""  # code on resident IDs issued before a renaming (铜山县 320323)


CITY = Division("320300", "徐州市", "徐州", "徐", ("市区",))

DIVISIONS: tuple[Division, ...] = (
    Division("320302", "鼓楼区", "鼓楼", "鼓", ("丰财街道", "牌楼街道", "九里街道", "琵琶街道")),
    Division(
        "320303", "云龙区", "云龙", "云", ("彭城街道", "子房街道", "大郭庄街道", "翠屏山街道")
    ),
    Division(
        "320305", "贾汪区", "贾汪", "贾", ("大吴街道", "青山泉镇", "汴塘镇", "江庄镇", "塔山镇")
    ),
    Division("320311", "泉山区", "泉山", "泉", ("王陵街道", "七里沟街道", "湖滨街道", "金山街道")),
    Division(
        "320312",
        "铜山区",
        "铜山",
        "铜",
        ("柳泉镇", "利国镇", "郑集镇", "棠张镇", "张集镇", "房村镇", "单集镇", "大许镇"),
        old_code="320323",
    ),
    Division("320321", "丰县", "丰县", "丰", ("凤城街道", "欢口镇", "华山镇", "宋楼镇", "顺河镇")),
    Division("320322", "沛县", "沛县", "沛", ("龙固镇", "杨屯镇", "大屯街道", "魏庙镇", "鹿楼镇")),
    Division(
        "320324", "睢宁县", "睢宁", "睢", ("睢城街道", "双沟镇", "王集镇", "古邳镇", "桃园镇")
    ),
    Division(
        "320381", "新沂市", "新沂", "新", ("新安街道", "瓦窑镇", "马陵山镇", "棋盘镇", "草桥镇")
    ),
    Division(
        "320382", "邳州市", "邳州", "邳", ("运河街道", "官湖镇", "碾庄镇", "八义集镇", "铁富镇")
    ),
)

ROADS = (
    "中山路",
    "解放路",
    "淮海路",
    "建国路",
    "和平路",
    "复兴路",
    "民主路",
    "彭城路",
    "三环东路",
    "黄河路",
    "湖西路",
    "工业园路",
    "人民路",
    "新华路",
    "珠江路",
    "长江路",
    "凤凰路",
    "开发区大道",
)

# --- People -----------------------------------------------------------------------------------

SURNAMES = (
    "王",
    "李",
    "张",
    "刘",
    "陈",
    "杨",
    "赵",
    "黄",
    "周",
    "吴",
    "徐",
    "孙",
    "胡",
    "朱",
    "高",
    "林",
    "何",
    "郭",
    "马",
    "罗",
    "梁",
    "宋",
    "郑",
    "谢",
    "韩",
    "唐",
    "冯",
    "于",
    "董",
    "萧",
    "程",
    "曹",
    "袁",
    "邓",
    "许",
    "傅",
    "沈",
    "曾",
    "彭",
    "吕",
    "苏",
    "卢",
    "蒋",
    "蔡",
    "贾",
    "丁",
    "魏",
    "薛",
    "叶",
    "阎",
    "余",
    "潘",
    "杜",
    "戴",
    "夏",
    "钟",
    "汪",
    "田",
    "任",
    "姜",
)
SURNAME_WEIGHTS = tuple(max(1, 60 - i) for i in range(len(SURNAMES)))

GIVEN_MALE = (
    "伟",
    "强",
    "磊",
    "军",
    "勇",
    "杰",
    "涛",
    "斌",
    "超",
    "明",
    "刚",
    "平",
    "辉",
    "鹏",
    "华",
    "飞",
    "鑫",
    "波",
    "宇",
    "浩",
    "凯",
    "健",
    "俊",
    "帅",
    "峰",
    "建国",
    "建华",
    "志强",
    "海涛",
    "国庆",
    "卫东",
    "晓东",
    "永刚",
    "德明",
    "立新",
    "红军",
    "文博",
    "子豪",
    "宏伟",
    "振华",
)
GIVEN_FEMALE = (
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "艳",
    "娟",
    "霞",
    "燕",
    "玲",
    "婷",
    "雪",
    "慧",
    "颖",
    "琳",
    "秀英",
    "桂兰",
    "玉梅",
    "丽娟",
    "晓燕",
    "春梅",
    "海燕",
    "雅琴",
    "淑华",
    "红梅",
    "思雨",
    "欣怡",
)

# --- Companies --------------------------------------------------------------------------------

TRADE_NAMES = (
    "恒达",
    "鑫源",
    "华泰",
    "宏远",
    "金盛",
    "瑞丰",
    "天诚",
    "永盛",
    "中润",
    "博远",
    "汇通",
    "润泽",
    "东方",
    "新元",
    "海纳",
    "凯达",
    "昌盛",
    "佳禾",
    "龙腾",
    "盛世",
    "兴旺",
    "远航",
    "隆昌",
    "正大",
    "和顺",
    "亿通",
    "万隆",
    "金鼎",
    "泰和",
    "富源",
    "利民",
    "彭祖",
    "汉源",
    "楚韵",
    "淮海",
    "云龙湖",
    "苏北",
    "运河",
    "九龙",
    "圣华",
)

# (industry word, weight). 化工 is deliberately common: hazardous waste mostly comes from it.
ENV_INDUSTRIES = (
    ("化工", 34),
    ("化学", 4),
    ("电镀", 8),
    ("金属制品", 7),
    ("新材料", 6),
    ("印染", 5),
    ("制药", 4),
    ("焦化", 4),
    ("环保科技", 5),
    ("再生资源", 6),
    ("橡胶制品", 4),
    ("涂料", 5),
    ("铸造", 4),
    ("热电", 2),
    ("机械制造", 2),
)
FOOD_INDUSTRIES = (
    ("食品", 30),
    ("农副产品", 10),
    ("肉类加工", 10),
    ("餐饮管理", 12),
    ("商贸", 10),
    ("酒业", 5),
    ("粮油", 6),
    ("调味品", 5),
    ("食品添加剂化工", 3),
    ("乳业", 3),
)
DRUG_INDUSTRIES = (
    ("医药连锁", 30),
    ("大药房", 30),
    ("医药", 20),
    ("生物科技", 10),
    ("医疗器械", 10),
)

SMALL_SHOPS = ("烧烤店", "熟食店", "副食品店", "小吃部", "超市", "诊所", "药店", "屠宰点", "饭店")

# --- Case types -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseType:
    code: str
    domain: str  # environment, food, drug
    label: str  # as printed in the title
    offence: str  # suspected offence when transferred
    weight: int
    facts: str  # template, see demo_data._facts
    evidence: str  # what the inspection found, for the test report text
    law: str  # legal basis of the administrative penalty


CASE_TYPES: tuple[CaseType, ...] = (
    CaseType(
        "hazardous_waste_dumping",
        "environment",
        "非法倾倒危险废物",
        "污染环境罪",
        26,
        "{date}，执法人员在{place}检查时发现，{party}将{waste}约{qty}吨倾倒于{spot}，"
        "未采取任何防渗漏措施。经采样检测，上述废物属于《国家危险废物名录》{hw}类危险废物。",
        "{waste}，{hw}类，约{qty}吨",
        "《中华人民共和国固体废物污染环境防治法》第一百一十二条",
    ),
    CaseType(
        "over_standard_discharge",
        "environment",
        "超标排放水污染物",
        "污染环境罪",
        22,
        "{date}，执法人员对{party}位于{place}的废水总排口进行监督性监测，"
        "外排废水中{pollutant}浓度超过《污水综合排放标准》{multiple}倍，废水经{spot}排入外环境。",
        "{pollutant}超标{multiple}倍",
        "《中华人民共和国水污染防治法》第八十三条",
    ),
    CaseType(
        "monitoring_data_falsification",
        "environment",
        "篡改自动监测数据",
        "污染环境罪",
        12,
        "{date}，执法人员对重点排污单位{party}（{place}）现场检查发现，该单位通过修改"
        "自动监测设备参数的方式篡改{pollutant}监测数据，干扰自动监测设施正常运行。",
        "{pollutant}自动监测数据被篡改",
        "《中华人民共和国大气污染防治法》第九十九条",
    ),
    CaseType(
        "unlicensed_hazardous_waste_business",
        "environment",
        "无证从事危险废物经营",
        "污染环境罪",
        10,
        "{date}，执法人员在{place}查获{party}未取得危险废物经营许可证，擅自收集、贮存"
        "{waste}约{qty}吨，违法所得约{gain}元。",
        "{waste}约{qty}吨，无经营许可证",
        "《中华人民共和国固体废物污染环境防治法》第一百一十四条",
    ),
    CaseType(
        "food_substandard",
        "food",
        "销售不符合食品安全标准的食品",
        "生产、销售不符合安全标准的食品罪",
        10,
        "{date}，执法人员对{party}（{place}）进行监督抽检，所售{food}经检验{defect}，"
        "不符合食品安全国家标准，货值金额约{gain}元。",
        "{food}{defect}",
        "《中华人民共和国食品安全法》第一百二十四条",
    ),
    CaseType(
        "food_toxic_additive",
        "food",
        "在食品中添加有毒有害非食品原料",
        "生产、销售有毒、有害食品罪",
        3,
        "{date}，执法人员在{place}检查{party}时发现，其生产的{food}中检出{additive}，"
        "属于食品中可能违法添加的非食用物质，已销售金额约{gain}元。",
        "{food}检出{additive}",
        "《中华人民共和国食品安全法》第一百二十三条",
    ),
    CaseType(
        "sick_meat",
        "food",
        "经营病死畜禽肉",
        "生产、销售不符合安全标准的食品罪",
        5,
        "{date}，执法人员在{place}查获{party}收购、加工病死猪肉约{qty}吨，"
        "无动物检疫合格证明，已销售金额约{gain}元。",
        "病死猪肉约{qty}吨，无检疫合格证明",
        "《中华人民共和国食品安全法》第一百二十三条",
    ),
    CaseType(
        "fake_drug",
        "drug",
        "销售假药",
        "生产、销售、提供假药罪",
        2,
        "{date}，执法人员检查{party}（{place}）时发现，其销售的“{drug}”无药品批准证明文件，"
        "经检验不含标示成分，依法认定为假药，销售金额约{gain}元。",
        "“{drug}”不含标示成分",
        "《中华人民共和国药品管理法》第一百一十六条",
    ),
    CaseType(
        "substandard_drug",
        "drug",
        "销售劣药",
        "生产、销售劣药罪",
        2,
        "{date}，执法人员对{party}（{place}）抽检，“{drug}”含量测定不符合规定，"
        "依法认定为劣药，货值金额约{gain}元。",
        "“{drug}”含量不符合规定",
        "《中华人民共和国药品管理法》第一百一十七条",
    ),
    CaseType(
        "unlicensed_drug_business",
        "drug",
        "无证经营药品",
        "非法经营罪",
        2,
        "{date}，执法人员在{place}发现{party}未取得药品经营许可证，擅自经营"
        "“{drug}”等药品，经营数额约{gain}元。",
        "无药品经营许可证经营“{drug}”",
        "《中华人民共和国药品管理法》第一百一十五条",
    ),
)

WASTES = (
    ("废矿物油", "HW08"),
    ("精馏残渣", "HW11"),
    ("废酸", "HW34"),
    ("废碱", "HW35"),
    ("电镀污泥", "HW17"),
    ("废有机溶剂", "HW06"),
    ("含铬废液", "HW21"),
    ("废催化剂", "HW50"),
    ("染料涂料废物", "HW12"),
    ("废包装桶", "HW49"),
)
SPOTS = (
    "一处废弃坑塘内",
    "厂区外雨水管网",
    "京杭运河支流岸边",
    "农田灌溉沟渠",
    "废弃窑厂内",
    "暗管",
    "厂区渗坑",
    "不老河沿岸空地",
    "故黄河滩地",
)
POLLUTANTS = (
    ("总铬", 3),
    ("六价铬", 3),
    ("总铅", 3),
    ("总镉", 3),
    ("总砷", 3),
    ("总汞", 3),
    ("总镍", 10),
    ("总铜", 10),
    ("总锌", 10),
    ("化学需氧量", 0),
    ("氨氮", 0),
)  # (pollutant, multiple that is a crime per ENV-INT2023 Art 1(3)/(4); 0 = none)
AIR_POLLUTANTS = ("二氧化硫", "氮氧化物", "颗粒物", "化学需氧量", "氨氮")
FOODS = (
    "散装白酒",
    "辣条",
    "卤肉",
    "豆芽",
    "腌制咸菜",
    "鲜湿米粉",
    "馒头",
    "火锅底料",
    "桶装饮用水",
    "羊肉串",
    "凉皮",
    "月饼",
)
DEFECTS = (
    "菌落总数超标",
    "铅含量超标",
    "甜蜜素超范围使用",
    "过氧化值超标",
    "大肠菌群超标",
    "苯甲酸超量使用",
    "霉菌超标",
)
ADDITIVES = ("罂粟壳成分", "工业明胶", "硼砂", "甲醛", "苏丹红", "吊白块", "6-苄基腺嘌呤")
DRUGS = (
    "复方甘草片",
    "头孢克肟胶囊",
    "阿莫西林胶囊",
    "降糖神茶",
    "风湿骨痛丸",
    "布洛芬缓释胶囊",
    "六味地黄丸",
    "消渴降糖胶囊",
)


REFERRAL_SOURCES = (
    ("non_prosecution", "不起诉后提出检察意见"),
    ("police_non_filing", "公安机关不予立案后移回"),
    ("court_exemption", "免予刑事处罚后移送"),
)


ENTRY_STANDARD: dict[str, str] = {
    "hazardous_waste_dumping": "env_hazardous_waste",
    "over_standard_discharge": "env_overstandard_discharge",
    "monitoring_data_falsification": "env_monitoring_falsification",
    "unlicensed_hazardous_waste_business": "env_unlicensed_hw_business",
    "food_substandard": "food_safety",
    "food_toxic_additive": "food_safety",
    "sick_meat": "food_safety",
    "fake_drug": "drug",
    "substandard_drug": "drug",
    "unlicensed_drug_business": "drug",
}
"""The entry standard (app/resources/standards/<id>.json) each demo case type is filed under:
a case's ``category`` is its entry-standard id; the finer case type stays in ``fields``."""

ENTRY_STANDARD_VERSION = "1.0.0"
