"""Word lists the claim extractor matches: units, materials, colours, certifications.

Each term maps to a canonical key shared across languages, so "stainless steel" in an English
record grounds "不锈钢" in Chinese copy. ``implies`` records what a specific term also vouches for
(facts saying "walnut" support copy saying "wood"; not the other way round).

Lines read ``canonical > implied,keys = pattern | pattern``; a pattern in UPPER case with a ``!``
prefix is matched case-sensitively (acronyms such as ``!CE`` that are ordinary words in lower case).
"""

from __future__ import annotations

from dataclasses import dataclass

# unit as written (lower case unless case-sensitive, see CASE_SENSITIVE_UNITS) ->
# (dimension, factor to the base unit)
UNITS: dict[str, tuple[str, float]] = {}
BASE_UNITS: dict[str, str] = {
    "volume": "ml", "length": "mm", "mass": "g", "power": "W", "energy": "Wh", "battery": "mAh",
    "voltage": "V", "current": "A", "storage": "GB", "bitrate": "Mbps", "frequency": "Hz",
    "duration": "h", "resolution": "MP", "temperature_c": "°C", "temperature_f": "°F",
}  # fmt: skip
_UNIT_TABLE = """
volume 1 ml mls milliliter milliliters millilitre millilitres cc 毫升
volume 10 cl
volume 100 dl
volume 1000 l ltr ltrs litre litres liter liters lt 升 公升
volume 29.5735 oz fl oz fl. oz fl.oz ounce ounces
volume 3785.41 gallon gallons gal
length 1 mm millimeter millimeters millimetre millimetres 毫米
length 10 cm centimeter centimeters centimetre centimetres 厘米 公分
length 1000 m meter meters metre metres mtr mtrs 米
length 25.4 inch inches " ″ 英寸
length 304.8 ft feet foot
length 914.4 yd yard yards
mass 0.001 mg
mass 1 g gm gms gram grams gramme grammes 克
mass 1000 kg kgs kilogram kilograms 千克 公斤
mass 453.592 lb lbs pound pounds
mass 500 斤
power 1 w watt watts 瓦
power 1000 kw
energy 1 wh
energy 1000 kwh
battery 1 mah 毫安 毫安时
voltage 1 v volt volts 伏
current 1 a amp amps ampere amperes 安
current 0.001 ma
storage 0.0009765625 mb
storage 1 gb
storage 1024 tb
bitrate 0.001 kbps
bitrate 1 mbps mb/s
bitrate 1000 gbps gb/s
frequency 1 hz
frequency 1000 khz
frequency 1000000 mhz
frequency 1000000000 ghz
duration 0.016666667 min mins minute minutes 分钟
duration 1 h hr hrs hour hours 小时
duration 24 day days 天
duration 168 week weeks 周
duration 730 month months 个月
duration 8760 year years yr yrs 年
resolution 1 mp megapixel megapixels
resolution 0.01 万像素
temperature_c 1 °c ℃
temperature_f 1 °f ℉
"""
for _line in _UNIT_TABLE.strip().splitlines():
    _dim, _factor, _rest = _line.split(" ", 2)
    # multi-word units ("fl oz") are listed as adjacent words; rejoin the known ones
    _words = _rest.replace("fl oz", "fl_oz").replace("fl. oz", "fl._oz").split()
    for _word in _words:
        UNITS[_word.replace("_", " ")] = (_dim, float(_factor))

# Single letters that are words or other things in the other case: "5G" is a network, "a" an article.
CASE_SENSITIVE_UNITS: dict[str, set[str]] = {"g": {"g"}, "a": {"A"}, "h": {"h"}, "mb": {"MB", "mb", "Mb"}}
# Units that must touch their number ("2A", "10h"): with a space they read as ordinary words.
NO_SPACE_UNITS = {"a", "h", '"', "″", "lt", "v"}


@dataclass(frozen=True)
class Term:
    """One lexicon entry: the canonical key, the keys it implies, whether it is case-sensitive."""

    canonical: str
    implies: tuple[str, ...]
    pattern: str
    case_sensitive: bool


def _parse(table: str) -> list[Term]:
    terms: list[Term] = []
    for line in table.strip().splitlines():
        head, patterns = line.split("=", 1)
        canonical, _, implied = head.partition(">")
        implies = tuple(key.strip() for key in implied.split(",") if key.strip())
        for pattern in patterns.split("|"):
            pattern = pattern.strip()
            sensitive = pattern.startswith("!")
            terms.append(Term(canonical.strip(), implies, pattern.lstrip("!"), sensitive))
    # longest first, so "stainless steel" wins over "steel" and 记忆棉 over 棉
    return sorted(terms, key=lambda term: -len(term.pattern))


MATERIALS = _parse("""
organic_cotton > cotton = organic cotton | 有机棉
egyptian_cotton > cotton = egyptian cotton
cotton = cotton | cotton blend | 棉 | 纯棉 | 全棉 | 棉质 | 精梳棉
linen = linen | flax | 亚麻
merino > wool = merino wool | merino | 美利奴
cashmere = cashmere | 羊绒
wool = wool | woollen | woolen | 羊毛
silk = silk | mulberry silk | 真丝 | 桑蚕丝 | 丝绸
polyester = polyester | 涤纶 | 聚酯纤维
nylon = nylon | 尼龙 | 锦纶
elastane = elastane | spandex | lycra | 氨纶
viscose = viscose | rayon | 粘胶 | 人造丝
microfiber = microfiber | microfibre | 超细纤维
fleece = fleece | 抓绒
denim = denim | 牛仔布
velvet = velvet | 天鹅绒
canvas = canvas | 帆布
jute = jute | 黄麻
leather = leather | genuine leather | real leather | full grain leather | full-grain leather
leather = top grain leather | 真皮 | 牛皮 | 头层牛皮 | 羊皮 | 皮革
faux_leather = faux leather | vegan leather | pu leather | synthetic leather | artificial leather
faux_leather = leatherette | PU皮 | 人造革 | 仿皮 | 人造皮
suede = suede | 麂皮
stainless_steel > steel,metal = stainless steel | 不锈钢 | 304不锈钢 | 316不锈钢
carbon_steel > steel,metal = carbon steel | 碳钢
steel > metal = steel | 钢材 | 钢制 | 钢质
aluminium > metal = aluminium | aluminum | aluminium alloy | aluminum alloy | 铝 | 铝合金
copper > metal = copper | 铜 | 纯铜 | 紫铜
brass > metal = brass | 黄铜
cast_iron > iron,metal = cast iron | 铸铁
wrought_iron > iron,metal = wrought iron
titanium > metal = titanium | 钛 | 钛合金
zinc_alloy > metal = zinc alloy | 锌合金
sterling_silver > metal = sterling silver | 925 silver | 纯银
metal = metal | 金属
bamboo = bamboo | 竹 | 竹子 | 竹制
wood = wood | wooden | solid wood | hardwood | 实木 | 木质 | 木制 | 原木 | 木材
oak > wood = oak | 橡木
walnut > wood = walnut | 胡桃木
cedar > wood = cedar | 雪松
pine > wood = pine | pinewood | 松木
teak > wood = teak | 柚木
acacia > wood = acacia
beech > wood = beech | 榉木
maple > wood = maple
mango_wood > wood = mango wood
sheesham > wood = sheesham
rosewood > wood = rosewood | 红木
engineered_wood = engineered wood | mdf | !MDF | plywood | particle board | 胶合板 | 密度板
glass = glass | 玻璃
tempered_glass > glass = tempered glass | toughened glass | 钢化玻璃
borosilicate > glass = borosilicate | borosilicate glass | 高硼硅 | 高硼硅玻璃
ceramic = ceramic | ceramics | 陶瓷 | 瓷
porcelain > ceramic = porcelain | 白瓷
stoneware > ceramic = stoneware | 炻器
bone_china > ceramic = bone china | 骨瓷
celadon > ceramic = celadon | 青瓷
silicone = silicone | food-grade silicone | food grade silicone | 硅胶 | 食品级硅胶
plastic = plastic | 塑料
bpa_free = bpa-free | bpa free | !BPA-free | 无BPA | 不含BPA
abs > plastic = !ABS | abs plastic
polypropylene > plastic = polypropylene | !PP | 聚丙烯
polycarbonate > plastic = polycarbonate | 聚碳酸酯
tpu > plastic = !TPU | tpu
tpe > plastic = !TPE
pvc > plastic = !PVC | pvc
eva > plastic = !EVA
acrylic = acrylic | 亚克力
melamine = melamine | 密胺
resin = resin | 树脂
rubber = rubber | natural rubber | 橡胶
latex = latex | 乳胶
memory_foam > foam = memory foam | 记忆棉
foam = foam | 海绵 | 珍珠棉 | 太空棉
marble = marble | 大理石
granite = granite | 花岗岩
rattan = rattan | wicker | 藤
carbon_fiber = carbon fiber | carbon fibre | 碳纤维
""")

COLOURS = _parse("""
black = black | jet black | 黑色
white = white | off white | off-white | 白色 | 米白色
red = red | 红色
blue = blue | 蓝色
navy > blue = navy | navy blue | 藏青色 | 海军蓝
green = green | 绿色
yellow = yellow | 黄色
grey = grey | gray | space grey | space gray | 灰色
pink = pink | 粉色 | 粉红色
purple = purple | violet | 紫色
orange = orange | 橙色
brown = brown | 棕色 | 咖啡色 | 褐色
beige = beige | 米色
gold = gold | golden | 金色
rose_gold = rose gold | 玫瑰金
silver = silver | 银色
ivory = ivory | 象牙白
teal = teal
maroon = maroon | burgundy | 酒红色
khaki = khaki | 卡其色
olive = olive | olive green | 橄榄绿
turquoise = turquoise
charcoal > grey = charcoal
""")

# Colour words used as something else: these phrases never count as colour claims.
COLOUR_IDIOMS = (
    "black friday|white noise|blue light|blue-light|green tea|black tea|white tea|red wine|white wine|"
    "brown rice|white rice|brown sugar|black pepper|white pepper|gold standard|silver lining|red carpet|"
    "white goods|black box|blue chip|white label|white-label|go green|green energy|orange juice|"
    "red chilli|green chilli|black and white|grey market|golden hour|green card|olive oil|"
    "activated charcoal|charcoal filter|"
    "绿色环保|绿色健康|绿色食品|绿色出行|绿色安全"
)

CERTIFICATIONS = _parse("""
fsc = !FSC | fsc certified | fsc-certified
gots = !GOTS
oeko_tex = oeko-tex | oeko tex | oekotex
ce = !CE | ce certified | ce marked
fcc = !FCC
rohs = rohs
ul = !UL | ul listed | ul certified
etl = !ETL
fda = !FDA
bis = !BIS
isi = !ISI
ccc = !CCC | 3C认证 | CCC认证 | 3c certified
cpsia = !CPSIA
reach = !REACH
tuv = !TÜV | !TUV
energy_star = energy star
usda_organic = usda organic | certified organic | 有机认证
fair_trade = fair trade | fairtrade
bluesign = bluesign
""")

NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "single": 1, "twin": 2, "dual": 2,
}  # fmt: skip

_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}  # fmt: skip
_ZH_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
ZH_NUMERAL_CHARS = "".join(_ZH_DIGITS) + "".join(_ZH_UNITS)


def zh_number(text: str) -> float | None:
    """Read a Chinese numeral (一, 两, 十二, 三百五十) as a number; None when it is not one."""
    total, section, digit = 0, 0, None
    for char in text:
        if char in _ZH_DIGITS:
            digit = _ZH_DIGITS[char]
        elif char in _ZH_UNITS:
            unit = _ZH_UNITS[char]
            if unit == 10000:
                total += (section + (digit or 0)) * unit
                section, digit = 0, None
            else:
                section += (1 if digit is None else digit) * unit
                digit = None
        else:
            return None
    return float(total + section + (digit or 0))
