"""Posts of the test web's JavaScript-rendered social feed (``/social/``).

The feed is newest first, split into API pages of ``PAGE_SIZE`` posts. Counts
of 10,000 and more are shown as ``1.6万`` in the rendered page, as Chinese
platforms do, so parsers must read the exact value the page also carries.
"""

from __future__ import annotations

from dataclasses import dataclass

PAGE_SIZE = 7


@dataclass(frozen=True)
class User:
    uid: str
    name: str
    verified: bool = False


@dataclass(frozen=True)
class SocialPost:
    id: str
    uid: str
    time: str
    """Local Asia/Shanghai time, ``YYYY-MM-DD HH:MM``."""
    text: str
    likes: int
    reposts: int
    comments: int
    region: str | None
    """IP location province (shown as ``发布于 广东``), None when the platform shows none."""
    must_contain: str
    repost_of: str | None = None


USERS = {u.uid: u for u in (
    User("5530127781", "滨海发布", verified=True),
    User("6120834412", "吃货小林同学"),
    User("7301442085", "极光汽车官方", verified=True),
    User("6683207791", "数码老杨", verified=True),
    User("5912003318", "清溪县融媒体中心", verified=True),
    User("7745510264", "北湖跑者"),
    User("6630018842", "夜跑的阿杰"),
    User("6401129950", "EV_Watcher"),
    User("7028836613", "Binhai Expat Life"),
    User("6877410032", "东岚学子说"),
)}

POSTS = (
    SocialPost(
        id="5232178810291457", uid="6120834412", time="2025-11-20 17:02",
        text="处理速度点赞，但罚15万对一个连锁品牌来说是不是轻了点？希望别一阵风过去就松了。",
        likes=204, reposts=12, comments=57, region="广东",
        must_contain="罚15万对一个连锁品牌来说是不是轻了点", repost_of="5232173345019874",
    ),
    SocialPost(
        id="5232173345019874", uid="5530127781", time="2025-11-20 16:40",
        text="#鲜味坊门店检查结果# 市场监管局通报：涉事门店封存冻肉中12.5公斤超过保质期，依法罚款15万元并责令停业整顿；"
             "全市其余14家门店专项检查发现7项问题，均已责令限期整改。",
        likes=3120, reposts=1488, comments=862, region="广东",
        must_contain="全市其余14家门店专项检查发现7项问题",
    ),
    SocialPost(
        id="5231950127704431", uid="6683207791", time="2025-11-19 22:15",
        text="星耀X9的修复补丁终于推送了，实测待机一晚掉电从18%降到5%，充电发热也正常了。之前吐槽过，现在也实事求是说一句：修得还算及时。#星耀X9续航#",
        likes=15820, reposts=2301, comments=1203, region="北京",
        must_contain="实测待机一晚掉电从18%降到5%",
    ),
    SocialPost(
        id="5231709962163020", uid="7028836613", time="2025-11-19 09:30",
        text="Took Metro Line 5 from the old town to the convention center this morning: 38 minutes, clean trains and "
             "bilingual announcements. A big upgrade for commuters. #BinhaiMetro#",
        likes=342, reposts=41, comments=19, region="广东",
        must_contain="clean trains and bilingual announcements",
    ),
    SocialPost(
        id="5231538420115586", uid="7745510264", time="2025-11-18 21:05",
        text="5号线通了以后，北湖夜跑团跑完终于可以坐地铁回新区了，再也不用抢网约车。#滨海地铁5号线#",
        likes=88, reposts=3, comments=12, region="广东",
        must_contain="北湖夜跑团跑完终于可以坐地铁回新区了",
    ),
    SocialPost(
        id="5231398716644208", uid="6401129950", time="2025-11-18 11:12",
        text="Over 11k S7 battery swaps done in under two weeks. Faster than I expected from a company this size.",
        likes=57, reposts=6, comments=4, region=None,
        must_contain="Faster than I expected from a company this size", repost_of="5231380219983317",
    ),
    SocialPost(
        id="5231380219983317", uid="7301442085", time="2025-11-18 10:00",
        text="【召回进展】截至11月17日，极光S7电池模组更换已完成11236台。我们新增了夜间和周末服务时段，车主可在官方应用中预约。"
             "感谢每一位车主的理解与耐心。#极光S7召回#",
        likes=12460, reposts=980, comments=4301, region="上海",
        must_contain="极光S7电池模组更换已完成11236台",
    ),
    SocialPost(
        id="5231226093371865", uid="6120834412", time="2025-11-17 23:48",
        text="鲜味坊的事等了两天还没结果，今天中午路过别的门店，照样排长队。大家是真不在意还是没看到新闻？#鲜味坊后厨#",
        likes=932, reposts=77, comments=645, region="广东",
        must_contain="照样排长队。大家是真不在意还是没看到新闻",
    ),
    SocialPost(
        id="5230245786400119", uid="5530127781", time="2025-11-15 08:05",
        text="#滨海地铁5号线开通# 今天6时，5号线一期首班列车从北湖公园站发出。线路全长27.6公里，设车站19座，欢迎市民乘坐体验！",
        likes=18950, reposts=3020, comments=2210, region="广东",
        must_contain="首班列车从北湖公园站发出",
    ),
    SocialPost(
        id="5224718255630091", uid="6401129950", time="2025-10-21 12:40",
        text="Aurora is recalling 42,316 S7s over a cell separator flaw. Keep fast charging under 80 kW until your swap. #AuroraRecall#",
        likes=130, reposts=48, comments=22, region=None,
        must_contain="Keep fast charging under 80 kW until your swap",
    ),
    SocialPost(
        id="5210632784019552", uid="6877410032", time="2025-09-09 12:20",
        text="学校的回应看到了，希望调查组把材料审核环节查清楚，给所有认真准备的考生一个交代。#东岚大学招生调查#",
        likes=2306, reposts=410, comments=388, region="湖南",
        must_contain="给所有认真准备的考生一个交代",
    ),
    SocialPost(
        id="5199874410256673", uid="6683207791", time="2025-08-15 22:30",
        text="星耀X9升级3.2后待机一晚掉18%，背部发烫。官方说是后台索引服务的问题，坐等补丁。#星耀X9续航#",
        likes=8721, reposts=1034, comments=2890, region="北京",
        must_contain="官方说是后台索引服务的问题，坐等补丁",
    ),
    SocialPost(
        id="5187320965417744", uid="6630018842", time="2025-07-10 10:31",
        text="转发给在外地的老乡：家里都好，房子在修，大家放心。#清溪加油#",
        likes=45, reposts=2, comments=9, region="浙江",
        must_contain="转发给在外地的老乡：家里都好", repost_of="5187296632980510",
    ),
    SocialPost(
        id="5187296632980510", uid="5912003318", time="2025-07-10 09:00",
        text="【灾后重建】清溪县1.8万名转移群众已安全返家，受损县道全部抢通，供电供水通信全面恢复。感谢每一位逆行的志愿者！#清溪加油#",
        likes=26734, reposts=5120, comments=1877, region="江西",
        must_contain="1.8万名转移群众已安全返家",
    ),
)

BY_ID = {p.id: p for p in POSTS}


def page_posts(page: int) -> tuple[SocialPost, ...]:
    start = (page - 1) * PAGE_SIZE
    return POSTS[start:start + PAGE_SIZE] if page >= 1 else ()


def page_count() -> int:
    return -(-len(POSTS) // PAGE_SIZE)
