"""Crafted documents for the rule tests: clean English and Chinese prose to perturb."""
from __future__ import annotations

EN_SENTENCES = [
    "The river town grew around a wooden bridge that was rebuilt three times in a century.",
    "Each rebuilding followed a spring flood, and the merchants argued about who should pay for the piers.",
    "Local archives show that the ferry operators kept careful ledgers of every crossing.",
    "Those ledgers now let historians estimate how many travellers passed through each season.",
    "Today the old bridge is a footpath, and a small museum displays the original iron bolts.",
    "Visitors can also see maps of the flooded streets drawn by a schoolteacher in 1881.",
    "The museum opens at nine on weekdays and closes early during the winter months.",
    "A volunteer society restores the maps and publishes a short newsletter with its findings.",
]
EN_BASE = "\n\n".join(" ".join(EN_SENTENCES[i:i + 2]) for i in range(0, len(EN_SENTENCES), 2))

# 60 distinct lower-case words of various lengths, for documents built word by word
VOCAB = ("harbor lantern meadow quarry saddle timber velvet walnut anchor basket candle dagger engine "
         "falcon garden hammer island jacket kettle ladder magnet needle orchard pepper quiver ribbon "
         "silver tunnel umbrella valley window yellow zephyr bridge castle desert forest glacier "
         "helmet insect jungle kitten lemon mirror napkin oyster parrot rocket spider tomato turtle "
         "violin wagon barrel cactus donkey feather goblet hollow").split()


def words(k: int, vocab=VOCAB) -> str:
    return " ".join(vocab[i % len(vocab)] for i in range(k))


ZH_SENTENCES = [
    "这座小镇最早是围绕一座木桥发展起来的，百年间桥梁重建了三次。",
    "每次重建都发生在春季洪水之后，商人们总在争论由谁来支付新桥墩的费用。",
    "地方档案显示，渡船经营者为每一次渡河都记下了详细的账目。",
    "历史学家如今可以根据这些账本估算每个季节有多少旅客经过这里。",
    "旧桥现在是一条步行道，河东岸的小博物馆展出了原来的铁螺栓。",
    "博物馆还保存着一位教师在一八八一年绘制的洪水街道地图。",
    "志愿者协会负责修复这些地图，并且每季度出版一份简短的通讯。",
    "每逢周末，许多家长带着孩子来这里了解小镇的历史和变迁。",
]
ZH_BASE = "\n\n".join("".join(ZH_SENTENCES[i:i + 2]) for i in range(0, len(ZH_SENTENCES), 2))
