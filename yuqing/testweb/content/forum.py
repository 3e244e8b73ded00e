"""Boards, threads and posts of the test web's forum (``/forum/``).

Post ids are not contiguous within a thread (real forums interleave posts of
all threads in one id sequence), so parsers cannot guess them from floors.
"""

from __future__ import annotations

from dataclasses import dataclass

POSTS_PER_PAGE = 5
THREADS_PER_BOARD_PAGE = 2
_PID_STEP = 3


@dataclass(frozen=True)
class Board:
    bid: int
    name: str
    lang: str
    encoding: str
    """Codec of every page of this board and its threads (old Chinese forums are GBK)."""


@dataclass(frozen=True)
class Post:
    uid: int
    time: str
    """Local Asia/Shanghai time, ``YYYY-MM-DD HH:MM``, as the forum prints it."""
    text: tuple[str, ...]
    """Paragraphs of the post's own text (without any quoted text)."""
    quote_floor: int | None = None
    """Floor this reply quotes, if any."""
    must_contain: str = ""


@dataclass(frozen=True)
class Thread:
    tid: int
    bid: int
    title: str
    views: int
    pid_base: int
    posts: tuple[Post, ...]

    def pid(self, floor: int) -> int:
        return self.pid_base + _PID_STEP * (floor - 1)

    def page_of(self, floor: int) -> int:
        return (floor - 1) // POSTS_PER_PAGE + 1

    @property
    def pages(self) -> int:
        return self.page_of(len(self.posts))


BOARDS = (
    Board(bid=1, name="滨海民生", lang="zh", encoding="gbk"),
    Board(bid=2, name="Gadgets & Autos", lang="en", encoding="utf-8"),
)

USERS = {
    30211: "海风吹吹", 30588: "老王在滨海", 31902: "吃货小林", 28870: "北湖跑者", 33015: "豆包妈妈",
    29456: "滨海通", 34102: "一只咸鱼", 27731: "阿杰爱骑行", 35520: "S7车主老周",
    40112: "lily_chen", 40987: "markdev", 41230: "quietcoder", 42001: "NightOwl88",
    42555: "binhai_expat", 43108: "EVnerd",
}

THREADS = (
    Thread(
        tid=1001, bid=1, views=5821, pid_base=7712001,
        title="鲜味坊万达店的后厨视频大家看了吗？以后还敢去吃吗",
        posts=(
            Post(30211, "2025-11-18 08:40", (
                "昨晚刷到那个视频，冷柜里过期的鸡腿肉和当天的菜堆在一起，看得我一身冷汗。",
                "我家孩子特别爱吃他家的鸡腿饭，上周末还去过万达店。有没有知道内情的说说，这事到底是不是真的？",
            ), must_contain="冷柜里过期的鸡腿肉和当天的菜堆在一起"),
            Post(30588, "2025-11-18 08:57", ("早上路过，门口已经贴了暂停营业的告示，监管的人昨晚就去了。",),
                 must_contain="门口已经贴了暂停营业的告示"),
            Post(31902, "2025-11-18 09:15", (
                "说句公道话，视频里的日期看不清楚，拍摄时间也不知道，先等官方检测结果吧，别急着下结论。",
            ), must_contain="先等官方检测结果吧"),
            Post(33015, "2025-11-18 09:32", ("等结果可以，但这种事宁可信其有，最近都不打算带娃去了。",),
                 must_contain="最近都不打算带娃去了"),
            Post(34102, "2025-11-18 10:06", ("连锁店后厨的问题不是第一次了，关键是有没有人天天盯着。",),
                 must_contain="关键是有没有人天天盯着"),
            Post(29456, "2025-11-18 11:20", (
                "市场监管局官网刚发了情况说明，现场封存了37公斤冻肉，已经送检，三个工作日出结果。",
            ), must_contain="已经送检，三个工作日出结果"),
            Post(30211, "2025-11-18 12:02", (
                "等结果是应该的，但品牌方声明里说视频“可能并非近期”，这话听着像是在甩锅。",
            ), quote_floor=3, must_contain="这话听着像是在甩锅"),
            Post(28870, "2025-11-18 13:45", ("我之前在他家别的门店兼职过，总部的规定其实挺严的，就看店长执不执行。",),
                 must_contain="总部的规定其实挺严的"),
            Post(31902, "2025-11-18 14:10", ("所以说问题出在门店管理上，建议全市门店都查一遍。",),
                 quote_floor=8, must_contain="建议全市门店都查一遍"),
            Post(30588, "2025-11-19 09:03", ("听说其他门店今天也有人去检查了，希望是个例。",),
                 must_contain="希望是个例"),
            Post(33015, "2025-11-20 16:25", (
                "结果出来了：12.5公斤过期，罚款15万，停业整顿。处理得还算快，就看以后能不能坚持。",
            ), must_contain="处理得还算快，就看以后能不能坚持"),
            Post(30211, "2025-11-20 17:08", (
                "感谢大家的消息。结论出来了我也放心点，不过短期内还是自己在家做饭吧。",
            ), quote_floor=1, must_contain="短期内还是自己在家做饭吧"),
        ),
    ),
    Thread(
        tid=1002, bid=1, views=3307, pid_base=7712104,
        title="5号线开通首日体验：早高峰比想象中顺畅",
        posts=(
            Post(28870, "2025-11-15 09:26", (
                "今天特意早起去坐了首班车，北湖公园站6点整发车，车厢很新，座椅比2号线宽一点。",
                "8点从高铁西站坐到会展中心，全程38分钟，会展中心站人多，但工作人员分批放行，秩序还可以。",
            ), must_contain="全程38分钟，会展中心站人多"),
            Post(29456, "2025-11-15 09:51", ("终于通了！以前去新区要倒两趟公交，单程一个半小时。",),
                 must_contain="以前去新区要倒两趟公交"),
            Post(27731, "2025-11-15 10:14", ("骑车党表示，希望出口能多设几个共享单车停放点。",),
                 must_contain="希望出口能多设几个共享单车停放点"),
            Post(34102, "2025-11-15 10:40", ("湖滨路站的换乘通道走了快五分钟，指示牌也不太清楚，差点走错。",),
                 must_contain="换乘通道走了快五分钟"),
            Post(33015, "2025-11-15 11:05", ("带娃去坐了一趟，孩子兴奋得不行，车上广播还有双语报站。",),
                 must_contain="车上广播还有双语报站"),
            Post(30588, "2025-11-15 12:30", ("同感，从老城到新区真的方便太多了，房价估计又要涨一波。",),
                 quote_floor=2, must_contain="房价估计又要涨一波"),
            Post(31902, "2025-11-15 18:22", ("晚高峰体验了一下，间隔四分半，还能接受，希望以后再加密。",),
                 must_contain="间隔四分半，还能接受"),
            Post(28870, "2025-11-16 08:15", ("补充一下：官方说首日客流31万多人次，比预测的还多。",),
                 must_contain="首日客流31万多人次"),
        ),
    ),
    Thread(
        tid=1003, bid=1, views=1862, pid_base=7712190,
        title="收到极光S7召回短信了，服务中心说要排两周",
        posts=(
            Post(35520, "2025-10-24 20:11", (
                "今天收到召回短信，打电话约服务中心，说最早要两周后。这两周只能把快充功率限制在80千瓦以下开着。",
                "有没有同在滨海的车主，哪家服务中心排得快一点？",
            ), must_contain="说最早要两周后"),
            Post(34102, "2025-10-24 20:35", ("新区那家说周末加班，可以试试约周六晚上的时段。",),
                 must_contain="可以试试约周六晚上的时段"),
            Post(35520, "2025-10-24 21:02", ("谢谢，刚约上了下周六晚上，还给安排了代步车，态度挺好。",),
                 quote_floor=2, must_contain="还给安排了代步车，态度挺好"),
            Post(27731, "2025-10-25 07:48", ("主动召回总比出事强，换完记得让他们出个检测单。",),
                 must_contain="换完记得让他们出个检测单"),
        ),
    ),
    Thread(
        tid=2001, bid=2, views=4410, pid_base=7712230,
        title="Stellar X9 on 3.2 is draining 20% overnight. Anyone else?",
        posts=(
            Post(40112, "2025-08-14 23:05", (
                "Updated my X9 to 3.2 on Monday. Since then it loses about 20% overnight with nothing running, "
                "and the back gets warm while charging.",
                "Factory reset is my last resort. Has anyone found a setting that helps?",
            ), must_contain="loses about 20% overnight with nothing running"),
            Post(40987, "2025-08-14 23:41", ("Same here. Battery usage blames something called 'system indexing'.",),
                 must_contain="blames something called 'system indexing'"),
            Post(41230, "2025-08-15 00:12", (
                "Turning off background refresh for all apps brought mine back to about 6% overnight. Not a fix, but it helps.",
            ), must_contain="brought mine back to about 6% overnight"),
            Post(42001, "2025-08-15 07:30", ("Mine is fine after two days. Maybe the indexing finishes eventually? 🤔",),
                 must_contain="Maybe the indexing finishes eventually"),
            Post(40112, "2025-08-15 08:02", ("Will try that tonight, thanks. Still, a paid flagship shouldn't need workarounds.",),
                 quote_floor=3, must_contain="a paid flagship shouldn't need workarounds"),
            Post(40987, "2025-08-15 21:40", (
                "Stellar posted a statement: it's the indexing service, no hardware issue, patch within two weeks.",
            ), must_contain="patch within two weeks"),
            Post(43108, "2025-08-16 10:18", ("Good to hear. I'll hold off on updating my wife's phone until the patch lands.",),
                 must_contain="hold off on updating my wife's phone"),
        ),
    ),
    Thread(
        tid=2002, bid=2, views=980, pid_base=7712301,
        title="Aurora S7 battery swap: my service appointment experience",
        posts=(
            Post(43108, "2025-11-08 19:22", (
                "Dropped my S7 off at the new-district service center at 6 pm, got a loaner, picked it up at 9 the next morning.",
                "They replaced two modules and printed a test report when I asked. Smooth overall.",
            ), must_contain="They replaced two modules and printed a test report"),
            Post(42555, "2025-11-08 20:03", ("Nice. Mine is booked for next Saturday evening. Did they charge anything?",),
                 must_contain="Did they charge anything?"),
            Post(43108, "2025-11-08 20:17", ("Nothing at all, not even the loaner's charging.",),
                 quote_floor=2, must_contain="not even the loaner's charging"),
        ),
    ),
    Thread(
        tid=2003, bid=2, views=1204, pid_base=7712335,
        title="Is the new Line 5 actually useful for commuting to the new district?",
        posts=(
            Post(42555, "2025-11-16 21:10", (
                "Moving to Binhai next month for a job near the convention center. Would living in the old town and taking "
                "Line 5 be reasonable?",
            ), must_contain="living in the old town and taking Line 5"),
            Post(41230, "2025-11-16 21:34", ("Very doable. 38 minutes from the rail station end, trains every 4.5 min at peak.",),
                 must_contain="trains every 4.5 min at peak"),
            Post(40112, "2025-11-16 22:02", ("Just avoid the interchange at Hubin Road if you can, it's a long walk.",),
                 must_contain="avoid the interchange at Hubin Road"),
            Post(42555, "2025-11-17 08:45", ("Thanks both, that settles it. Old town it is.",),
                 quote_floor=3, must_contain="that settles it. Old town it is."),
        ),
    ),
)

BY_TID = {t.tid: t for t in THREADS}
BY_BID = {b.bid: b for b in BOARDS}


def board_threads(bid: int) -> tuple[Thread, ...]:
    return tuple(t for t in THREADS if t.bid == bid)


def board_pages(bid: int) -> int:
    return max(1, -(-len(board_threads(bid)) // THREADS_PER_BOARD_PAGE))
