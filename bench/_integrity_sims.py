"""Simulated honest surveys, and planted fraud, for the integrity indicators' false-alarm measurements.

Each generator draws the inputs one indicator reads, as the service layer would hand them over, from a
seeded ``numpy.random.Generator``: the same seed gives the same survey. What "honest" means here is a
model, written down so that it can be argued with (docs/integrity.md):

* opinions: a share of residents writes an "ý kiến khác"; most write an ordinary phrase (some of which are
  not on the maintained list) in their own spelling (case, punctuation, a polite "ạ", no diacritics on a
  phone), some a concern about their village in their own words, some anything at all;
* web answers: households answer from their home connection (a few neighbours share one) or through a
  mobile carrier, whose few shared addresses (carrier-grade NAT) carry many households; a village's link is
  shared in its Zalo group once, and many answer within the hour; some villages hold a meeting, declared,
  where most answer over the meeting hall's Wi-Fi;
* paper keying: each keyer has a pace of their own (around 15 s per phiếu), varying from phiếu to phiếu,
  with pauses, keyed in sessions during office hours;
* tallies: villages' true satisfaction differs a little from village to village.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np

#: Monday 2 November 2026, 00:00 in Vietnam (UTC+7): the first day of every simulated window.
START = datetime(2026, 11, 1, 17, 0, tzinfo=UTC)
WINDOW_DAYS = 28

#: Ordinary phrases residents write (the first ones are the maintained list's; the rest are not on it).
ORDINARY_WRITTEN = (
    "Không có ý kiến gì thêm", "Rất hài lòng", "Hoàn toàn nhất trí", "Nhất trí cao", "Không có gì",
    "Không có kiến nghị gì", "Không", "Nhất trí", "Đồng ý", "Hài lòng", "Không có ý kiến", "Không ý kiến",
    "Nhất trí với kết quả xây dựng nông thôn mới", "Hài lòng với kết quả xây dựng nông thôn mới",
    "Tốt", "Rất tốt", "Không có ý kiến khác", "Hoàn toàn hài lòng", "Đồng ý với kết quả",
    "Tiếp tục phát huy", "Không có đề xuất gì", "Cảm ơn", "Rất hài lòng, không có ý kiến gì thêm",
    "Nhất trí cao với kết quả", "Không có ý kiến đóng góp",
)
UNLISTED_ORDINARY = (
    "Mong xã ngày càng phát triển", "Cảm ơn chính quyền địa phương đã quan tâm", "Mọi việc đều tốt cả",
    "Chúc xã ngày càng giàu đẹp văn minh", "Đời sống người dân ngày càng được nâng lên",
    "Mong các cấp tiếp tục quan tâm", "Đường sá sạch đẹp hơn trước nhiều", "Cuộc sống đã khá hơn",
    "Người dân rất phấn khởi", "Cán bộ xã nhiệt tình", "Mong được hỗ trợ thêm vốn làm ăn",
    "Xin cảm ơn Đảng và Nhà nước",
)
_ACTIONS = ("nâng cấp", "sửa chữa", "mở rộng", "làm lại", "bê tông hóa", "sửa lại", "đầu tư", "cải tạo")
_OBJECTS = ("đường", "đường liên thôn", "mương nội đồng", "cống thoát nước", "đèn đường", "nhà văn hóa",
            "đường vào xóm", "kênh mương", "sân thể thao", "trạm y tế", "chợ", "bãi rác")
_OPENERS = ("đề nghị", "mong", "kiến nghị", "đề xuất", "cần", "xin", "mong chính quyền", "đề nghị xã")
_TAILS = ("", "", "", "sớm", "cho bà con", "vì đã xuống cấp", "để đi lại thuận tiện", "trong năm tới",
          "giúp dân", "vì mùa mưa hay ngập")
_WORDS = ("dân", "làng", "xóm", "ruộng", "trường", "con", "cháu", "nước", "điện", "rác", "cây", "nhà", "cầu",
          "lúa", "giá", "vốn", "việc", "làm", "học", "chợ", "trạm", "thuốc", "mưa", "nắng", "bò", "lợn", "gà")


def _no_diacritics(text: str) -> str:
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)) \
        .replace("đ", "d").replace("Đ", "D")


def _spelled(rng: np.random.Generator, text: str) -> str:
    """One resident's spelling of a phrase: case, trailing punctuation, a polite particle, no diacritics."""
    if rng.random() < 0.15:
        text = _no_diacritics(text)
    roll = rng.random()
    text = text.lower() if roll < 0.3 else text.upper() if roll < 0.35 else text
    if rng.random() < 0.2:
        text += " ạ"
    return text + str(rng.choice(["", "", ".", "!", "...", " ."]))


def _zipf(rng: np.random.Generator, n: int, exponent: float = 1.1) -> np.ndarray:
    weights = 1.0 / np.arange(1, n + 1) ** exponent
    return rng.permutation(weights / weights.sum())


@dataclass
class Opinions:
    """The opinions of a survey: texts and the village of each."""

    texts: list[str] = field(default_factory=list)
    villages: list[str] = field(default_factory=list)


def village_sizes(rng: np.random.Generator, phieu: int) -> list[tuple[str, int]]:
    """(village code, phiếu) for a survey of about ``phieu`` phiếu: 4 to 15 villages of uneven size."""
    count = int(np.clip(phieu // 150, 4, 15))
    shares = rng.dirichlet(np.full(count, 4.0))
    return [(f"T{i + 1:02d}", max(1, int(round(phieu * s)))) for i, s in enumerate(shares)]


def honest_opinions(rng: np.random.Generator, phieu: int, rate: float = 0.2) -> Opinions:
    """Opinions of an honest survey of ``phieu`` phiếu where a share ``rate`` writes one."""
    ordinary = _zipf(rng, len(ORDINARY_WRITTEN))
    unlisted = _zipf(rng, len(UNLISTED_ORDINARY))
    found = Opinions()
    for village, size in village_sizes(rng, phieu):
        place = rng.choice(["thôn", "xóm", "ấp"]) + f" {village[1:]}"
        for _ in range(rng.binomial(size, rate)):
            roll = rng.random()
            if roll < 0.62:
                text = ORDINARY_WRITTEN[rng.choice(len(ORDINARY_WRITTEN), p=ordinary)]
            elif roll < 0.72:
                text = UNLISTED_ORDINARY[rng.choice(len(UNLISTED_ORDINARY), p=unlisted)]
            elif roll < 0.94:  # a concern about the village, in the resident's own words
                text = " ".join(w for w in (rng.choice(_OPENERS), rng.choice(_ACTIONS), rng.choice(_OBJECTS),
                                            place if rng.random() < 0.4 else "", rng.choice(_TAILS)) if w)
            else:
                text = " ".join(rng.choice(_WORDS, size=rng.integers(3, 12)))
            found.texts.append(_spelled(rng, text))
            found.villages.append(village)
    return found


def plant_copies(rng: np.random.Generator, opinions: Opinions, copies: int = 8,
                 text: str = "Đề nghị cấp trên xem xét công nhận xã đạt chuẩn nông thôn mới") -> str:
    """Add ``copies`` phiếu of one village carrying the same opinion (one hand filling in many); its village."""
    village = opinions.villages[int(rng.integers(len(opinions.villages)))] if opinions.villages else "T01"
    opinions.texts.extend([text] * copies)
    opinions.villages.extend([village] * copies)
    return village


@dataclass
class WebTraffic:
    """Web answers of a survey: time, address (hashed), village; and the meetings staff declared."""

    times: list[datetime] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    villages: list[str] = field(default_factory=list)
    meetings: list[tuple[str, datetime, datetime]] = field(default_factory=list)

    def add(self, moment: datetime, address: str, village: str) -> None:
        self.times.append(moment)
        self.addresses.append(address)
        self.villages.append(village)


def _evening(rng: np.random.Generator, day: int) -> datetime:
    """A moment on ``day`` of the window, most likely in the evening (Vietnam time)."""
    hour = rng.choice([7, 9, 11, 12, 17, 19, 20, 21], p=[.08, .08, .1, .12, .12, .2, .18, .12])
    return START + timedelta(days=int(day), hours=float(hour) + float(rng.random()))


def honest_web(rng: np.random.Generator, phieu: int, *, web_share: float = 0.35, meetings: float = 0.3,
               carriers: int = 10, declared: bool = True) -> WebTraffic:
    """Web answers of an honest survey of about ``phieu`` phiếu (a share ``web_share`` on the web).

    Half the households answer from home (one address each, 15 % shared with a neighbour), half through a
    mobile carrier's ``carriers`` shared addresses; 40–80 % of a village answer in the hours after its link
    is posted in the village's Zalo group; with probability ``meetings`` a village holds a meeting where
    50–90 % of its web respondents answer, most over the hall's Wi-Fi (declared unless ``declared`` is off).
    """
    traffic = WebTraffic()
    weights = rng.dirichlet(np.full(carriers, 1.5))
    for village, size in village_sizes(rng, phieu):
        households = rng.binomial(size, web_share)
        wave = START + timedelta(days=int(rng.integers(0, 10)), hours=float(rng.uniform(12, 15)))
        wave_share = rng.uniform(0.4, 0.8)
        meeting = None
        if rng.random() < meetings:
            begin = START + timedelta(days=int(rng.integers(1, WINDOW_DAYS - 6)), hours=float(rng.uniform(12, 13)))
            meeting = (begin, begin + timedelta(minutes=float(rng.uniform(90, 150))), rng.uniform(0.5, 0.9))
            if declared:
                traffic.meetings.append((village, meeting[0], meeting[1]))
        for household in range(households):
            if rng.random() < 0.5:
                neighbour = household - 1 if household and rng.random() < 0.15 else household
                address = f"home-{village}-{neighbour}"
            else:
                address = f"carrier-{rng.choice(carriers, p=weights)}"
            if meeting and rng.random() < meeting[2]:
                begin, end, _share = meeting
                moment = begin + (end - begin) * float(rng.uniform(0.05, 1.0))
                traffic.add(moment, f"hall-{village}" if rng.random() < 0.7 else address, village)
            elif rng.random() < wave_share:
                traffic.add(wave + timedelta(minutes=float(rng.exponential(40))), address, village)
            else:
                traffic.add(_evening(rng, rng.integers(0, WINDOW_DAYS)), address, village)
    return traffic


def zalo_village(rng: np.random.Generator, households: int = 150, carriers: int = 10) -> WebTraffic:
    """The issue's case: one village's link shared in its Zalo group, 150 households over 10 carrier
    addresses, most answering in the hours after the post, the rest over the window."""
    traffic = WebTraffic()
    weights = rng.dirichlet(np.full(carriers, 3.0))
    post = START + timedelta(days=int(rng.integers(0, 10)), hours=13)
    for _ in range(households):
        address = f"carrier-{rng.choice(carriers, p=weights)}"
        if rng.random() < 0.7:
            traffic.add(post + timedelta(minutes=float(rng.exponential(30))), address, "T01")
        else:
            traffic.add(_evening(rng, rng.integers(0, WINDOW_DAYS)), address, "T01")
    return traffic


def province_web(rng: np.random.Generator, answers: int = 20000, villages: int = 1000,
                 carriers: int = 100) -> WebTraffic:
    """A province's web answers over four weeks: ``answers`` households of ``villages`` villages, all through
    ``carriers`` carrier addresses that serve the whole province (sparse traffic per village and address)."""
    traffic = WebTraffic()
    weights = rng.dirichlet(np.full(carriers, 2.0))
    for _ in range(answers):
        traffic.add(_evening(rng, rng.integers(0, WINDOW_DAYS)), f"carrier-{rng.choice(carriers, p=weights)}",
                    f"V{rng.integers(villages)}")
    return traffic


def meeting_village(rng: np.random.Generator, households: int = 80, *, declared: bool = True) -> WebTraffic:
    """A village meeting where ``households`` answer over the hall's one Wi-Fi in about two hours, next to
    a few households of the commune answering from home over the window."""
    traffic = WebTraffic()
    begin = START + timedelta(days=int(rng.integers(1, 20)), hours=12)
    end = begin + timedelta(minutes=120)
    for _ in range(households):
        traffic.add(begin + (end - begin) * float(rng.uniform(0.05, 1.0)), "hall-T01", "T01")
    for household in range(60):
        traffic.add(_evening(rng, rng.integers(0, WINDOW_DAYS)), f"home-{household}", f"T0{2 + household % 3}")
    if declared:
        traffic.meetings.append(("T01", begin, end))
    return traffic


def plant_stuffing(rng: np.random.Generator, traffic: WebTraffic, slips: int = 15, *,
                   shared_address: bool = False) -> str:
    """One person fills in ``slips`` phiếu of one village one after another (45–120 s each) from one address:
    their home's, or (``shared_address``) the busiest carrier address. Returns the address."""
    villages = sorted(set(traffic.villages)) or ["T01"]
    village = villages[int(rng.integers(len(villages)))]
    carriers = [a for a in traffic.addresses if a.startswith("carrier-")]
    address = max(set(carriers), key=carriers.count) if shared_address and carriers else "home-stuffer"
    moment = _evening(rng, rng.integers(0, WINDOW_DAYS))
    for _ in range(slips):
        moment += timedelta(seconds=float(rng.uniform(45, 120)))
        traffic.add(moment, address, village)
    return address
