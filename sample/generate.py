"""Generate the bundled sample corpus: WARC pages and JSONL text, Chinese, English and code.

    python sample/generate.py --out sample/data

Deterministic: the same seed gives the same bytes on the same Python (code snippets are
read from this interpreter's standard library, so another Python version gives other
snippets). All prose is written for this project (see sample/README.md); code snippets
come from the Python standard library (PSF licence).

What it writes (counts per kind are printed at the end):

* ``warc/sample-2024-0000N.warc.gz``: Common Crawl style WARC/1.0, one gzip member per
  record, a ``warcinfo`` record first, then ``request`` + ``response`` pairs: news,
  encyclopedia and forum pages in Chinese (UTF-8, GBK, GB18030, Big5, charset in the HTTP
  header only, in ``<meta>`` only, or nowhere), English articles (a few windows-1252),
  code tutorials, spam, near and exact duplicates, non-200 responses, non-HTML payloads,
  empty bodies.
* ``jsonl/part-0000{0,1}.jsonl.gz`` and ``jsonl/part-00002.jsonl.zst``: extracted text
  records ``{"id", "text", "url", "source", "meta"}``, with a few malformed lines and a
  few empty texts.
"""

from __future__ import annotations

import argparse
import ast
import datetime as dt
import gzip
import html
import io
import json
import pathlib
import random
import re
import struct
import sysconfig
import textwrap
import uuid
import zlib
from collections import Counter

from warcio.warcwriter import WARCWriter

SEED = 20240917
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "refinery-sample/2024")

# --------------------------------------------------------------------------------------
# Text banks. Every sentence below was written for this sample. Slots in braces are
# filled per use ({city}, {n}, {big}, {pct}, ...) so that documents drawing on the same
# bank still differ at the shingle level.
# --------------------------------------------------------------------------------------

ZH_CITIES = ["北京", "上海", "广州", "深圳", "杭州", "成都", "武汉", "西安", "南京", "重庆",
             "天津", "苏州", "长沙", "郑州", "青岛", "厦门", "昆明", "合肥", "济南", "哈尔滨",
             "福州", "南宁", "兰州", "贵阳", "太原", "石家庄", "沈阳", "大连", "宁波", "无锡"]
EN_CITIES = ["Springfield", "Riverton", "Lakeview", "Port Ellis", "Northbridge", "Fairhaven",
             "Oakdale", "Millbrook", "Ashford", "Kingsport", "Westmere", "Brookfield",
             "Harbor City", "Elmwood", "Stonebridge", "Clearwater", "Redhill", "Maple Grove"]
EN_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December"]

ZH_TOPICS = {
    "科技": [
        "近年来，人工智能技术在{city}的制造业中得到广泛应用，不少工厂实现了生产线的自动化改造。",
        "据有关部门统计，今年前{month}个月全市新增5G基站{big}个，城区已基本实现连续覆盖。",
        "专家指出，大模型的训练需要海量的高质量数据，数据清洗往往比模型结构本身更加重要。",
        "新一代芯片采用更先进的制程工艺，在功耗降低{pct}%的同时，性能提升了近一倍。",
        "在智能手机市场趋于饱和的背景下，厂商纷纷把目光转向可穿戴设备和智能家居。",
        "云计算的普及让中小企业不再需要自建机房，只需按需租用服务器即可快速上线业务。",
        "该团队研发的语音识别系统能够识别{small}种方言，在嘈杂环境下依然保持较高的准确率。",
        "开源社区的活跃程度是衡量一项技术生命力的重要指标，越来越多的国内开发者参与其中。",
        "网络安全问题日益突出，仅去年一年，{city}警方就破获电信网络诈骗案件{big}起。",
        "自动驾驶汽车已在部分城市的指定区域开展道路测试，但距离大规模商用仍有不少障碍。",
        "业内人士认为，算力基础设施的建设将成为未来几年数字经济发展的关键。",
        "一位工程师告诉记者，他们每天要处理的日志数据超过{n}TB，传统数据库早已无法胜任。",
        "随着物联网设备数量的快速增长，如何保护用户隐私成为监管部门关注的焦点。",
        "这款国产操作系统经过{n}次迭代，目前已经能够兼容大部分常用办公软件。",
        "量子计算仍处于实验室阶段，但多国政府已经将其列为重点支持的前沿领域。",
        "电商平台借助推荐算法，为每位用户生成个性化的商品列表，转化率明显提升。",
        "在{year}年举办的开发者大会上，多家企业发布了面向边缘计算的新产品。",
        "有分析认为，软件国产化替代是一个长期过程，不能指望一蹴而就。",
        "该实验室正在尝试用机器学习方法预测蛋白质结构，初步结果令人鼓舞。",
        "不少高校开设了人工智能专业，但师资力量和实验条件仍是制约因素。",
        "相关部门表示，将继续推动工业互联网平台建设，帮助传统企业完成数字化转型。",
        "无人机配送在{city}的部分社区已经常态化运行，最快十几分钟就能把外卖送到楼下。",
        "研究人员提醒，生成式模型可能产生看似合理但事实错误的内容，使用时需要人工核查。",
        "新能源汽车的智能座舱功能越来越丰富，语音助手几乎成了新车的标配。",
        "据了解，这套政务系统上线后，窗口办事的平均等待时间从{n}分钟缩短到不足十分钟。",
        "一家初创公司的负责人坦言，招到合适的算法工程师比拿到融资还难。",
    ],
    "经济": [
        "统计数据显示，{year}年一季度地区生产总值同比增长{pct}%，经济运行总体平稳。",
        "受国际大宗商品价格波动影响，部分制造企业的原材料成本明显上升。",
        "{city}出台多项措施支持小微企业发展，包括减免房租、提供低息贷款等。",
        "消费市场持续回暖，节假日期间全市重点商圈客流量同比增长{pct}%。",
        "分析人士认为，房地产市场正在经历深度调整，短期内仍需观察政策效果。",
        "跨境电商成为外贸增长的新引擎，不少企业通过海外仓模式缩短了交货周期。",
        "央行宣布下调存款准备金率0.25个百分点，向市场释放长期资金约{big}亿元。",
        "在{city}的一家服装厂，老板告诉记者，今年的订单比去年多了将近三成。",
        "随着人口老龄化加剧，养老产业被视为未来十年最具潜力的市场之一。",
        "农产品价格总体稳定，猪肉价格在连续下跌后开始企稳回升。",
        "多家银行推出了面向个体工商户的信用贷款产品，审批时间缩短至一天以内。",
        "专家建议，地方政府应当更加重视营商环境建设，而不是单纯依靠税收优惠吸引投资。",
        "今年以来，{city}新登记市场主体{big}户，其中民营企业占比超过九成。",
        "旅游、餐饮等服务行业的快速复苏，带动了大量灵活就业岗位。",
        "一些年轻人开始选择理性消费，更看重商品的性价比而不是品牌溢价。",
        "港口集装箱吞吐量保持增长，反映出外贸需求依然具有韧性。",
        "该公司发布的年报显示，全年营业收入达到{big}万元，净利润同比增长{pct}%。",
        "业内人士提醒，投资者应理性看待市场波动，避免盲目追涨杀跌。",
        "新能源产业链的完善，使得相关产品的出口额连续多个季度保持两位数增长。",
        "物价总体温和，居民消费价格指数同比上涨{pct}%，处于合理区间。",
        "不少县城依托特色农产品发展直播带货，带动了当地农民增收。",
        "制造业采购经理指数连续两个月位于扩张区间，市场信心有所增强。",
        "部分城市放宽了落户限制，希望以此吸引更多年轻人才。",
        "数字人民币试点范围不断扩大，越来越多的商户开始支持这种支付方式。",
        "一位经济学者表示，扩大内需的关键在于稳定就业、增加居民收入。",
    ],
    "历史": [
        "据史料记载，这座古城始建于唐代，至今已有一千多年的历史。",
        "明清时期，{city}是重要的商业中心，来自各地的商人在此设立会馆。",
        "考古人员在遗址中发现了大量陶器残片，初步判断属于新石器时代晚期。",
        "秦始皇统一六国后，推行“书同文、车同轨”，对后世影响深远。",
        "丝绸之路不仅是一条贸易通道，也是东西方文化交流的重要桥梁。",
        "宋代的手工业和商业十分发达，纸币“交子”便出现在这一时期。",
        "这座石桥建于清朝乾隆年间，桥身由{n}块巨大的青石砌成。",
        "历史学家认为，科举制度在很长一段时间里为普通读书人提供了上升通道。",
        "博物馆中收藏的这件青铜器，器身铭文记录了一次重要的祭祀活动。",
        "郑和七下西洋，最远到达了非洲东海岸，比欧洲航海家的远航早了几十年。",
        "古代的驿站制度保证了政令和军情能够在全国范围内快速传递。",
        "这部地方志详细记载了当地的山川物产、风俗人情以及历代名人事迹。",
        "在漫长的农耕社会中，水利工程始终是国家治理的重要内容。",
        "都江堰至今仍在发挥灌溉作用，被誉为世界水利史上的奇迹。",
        "这批竹简的出土，为研究战国时期的法律制度提供了第一手资料。",
        "北魏孝文帝推行汉化改革，迁都洛阳，促进了民族融合。",
        "元代的大都城规划整齐，为后来北京城的格局奠定了基础。",
        "近代以来，许多有识之士开始睁眼看世界，探索救国救民的道路。",
        "唐诗是中国古典文学的高峰，流传至今的作品有近五万首。",
        "这处古民居群保存完好，青砖黛瓦、马头墙错落有致，吸引了众多游客。",
        "专家介绍，修复一件破损的古代书画往往需要数月甚至数年的时间。",
        "敦煌莫高窟的壁画跨越了一千多年，记录了不同朝代的社会生活。",
        "根据碳十四测年结果，这批稻谷遗存距今约{big}年。",
        "古人讲究“读万卷书，行万里路”，游学之风在文人中十分盛行。",
        "据当地老人回忆，这条老街在民国时期曾是{city}最热闹的地方。",
    ],
    "体育": [
        "在昨晚结束的比赛中，主队凭借下半场的两粒进球以2比1逆转取胜。",
        "这名{age}岁的小将在女子100米决赛中跑出个人最好成绩，获得银牌。",
        "{city}马拉松吸引了来自{n}个国家和地区的{big}名选手参赛。",
        "主教练在赛后发布会上表示，球队的防守还有很大的提升空间。",
        "女排在关键的决胜局中顶住压力，最终以3比2战胜对手。",
        "全民健身热潮持续升温，越来越多的市民利用业余时间跑步、骑行和游泳。",
        "这座新建的体育中心可容纳观众{big}人，将承办明年的全国性赛事。",
        "伤病一直困扰着这位老将，但他仍然坚持完成了整个赛季的比赛。",
        "乒乓球混双决赛打得异常激烈，双方多次出现长时间的多拍相持。",
        "青少年足球培训机构数量快速增长，但教练水平参差不齐的问题也随之显现。",
        "根据赛程安排，联赛下一轮将在本周六晚七点半开赛。",
        "这支升班马球队开局表现出色，目前排在积分榜第{rank}位。",
        "游泳队在冬训期间加强了体能训练，每天的训练量超过一万米。",
        "许多球迷提前几个小时来到球场外，为自己支持的球队加油助威。",
        "电子竞技已被列入多项综合性运动会的正式比赛项目。",
        "裁判的一次争议判罚引发了双方球员的激烈争执，比赛一度中断。",
        "羽毛球男单比赛中，这位世界排名第{rank}的选手爆冷出局。",
        "冰雪运动正从北方走向全国，南方城市的室内滑雪场周末常常一票难求。",
        "专家提醒，运动前充分热身可以有效降低肌肉拉伤的风险。",
        "这名球员本赛季场均得到{pts}分，当选为常规赛最有价值球员。",
        "社区篮球赛已经连续举办了{small}届，成为居民们每年夏天最期待的活动。",
        "随着转会窗口关闭，各家俱乐部的引援工作基本告一段落。",
        "国家队的新老交替正在进行，几名年轻球员获得了首发机会。",
        "这场比赛的门票在开售后不到十分钟就被抢购一空。",
        "{city}队主场作战，全场观众的呐喊声几乎没有停过。",
    ],
    "健康": [
        "医生提醒，秋冬季节是流感高发期，老人和儿童应及时接种疫苗。",
        "长时间使用电子产品容易导致视力下降，建议每隔四十分钟休息一下眼睛。",
        "营养专家建议，成年人每天应摄入足量的蔬菜水果，并控制盐和油的用量。",
        "研究表明，规律的有氧运动有助于降低血压，改善心肺功能。",
        "{city}今年新建社区卫生服务中心{small}个，居民在家门口就能看病。",
        "熬夜会打乱人体的生物钟，长期睡眠不足还可能影响免疫力。",
        "近年来，青少年近视率居高不下，学校和家长都应重视户外活动。",
        "这家医院开设了互联网诊疗服务，患者可以在手机上完成复诊和续方。",
        "专家表示，高血压患者不能擅自停药，应在医生指导下调整治疗方案。",
        "心理健康问题越来越受到关注，许多高校都设立了心理咨询中心。",
        "夏季天气炎热，外出时要注意防暑降温，多喝水，避免在正午时段进行剧烈运动。",
        "据统计，糖尿病患者中有相当一部分人并不知道自己已经患病。",
        "中医认为，饮食起居应顺应四时变化，春季养肝、夏季养心。",
        "家庭医生签约服务让慢性病患者得到了更加连续的健康管理。",
        "吸烟是导致肺癌的重要危险因素，戒烟任何时候都不算晚。",
        "体检报告中的个别指标异常不必过度紧张，但需要及时咨询专业医生。",
        "科学减重的关键在于长期坚持，节食过度反而容易导致反弹。",
        "医保目录调整后，{small}种抗癌药纳入报销范围，患者负担明显减轻。",
        "儿童用药要严格按照说明书或医嘱，切不可把成人药物减量给孩子服用。",
        "护士长介绍，病区实行了无陪护试点，家属不用再整夜守在病床边。",
        "适量饮水对维持身体机能十分重要，但一次性大量饮水并不可取。",
        "口腔健康是全身健康的一部分，建议每半年进行一次口腔检查。",
        "研究人员发现，每天步行六千步以上的老年人，认知功能衰退的速度明显较慢。",
        "急救知识培训走进社区，越来越多的市民学会了心肺复苏的基本操作。",
        "{city}某医院的数据显示，今年门诊量同比增长{pct}%，其中呼吸科最为繁忙。",
    ],
    "旅游": [
        "五一假期，{city}各大景区迎来客流高峰，不少热门景点需要提前预约。",
        "沿着古镇的青石板路慢慢行走，两旁是挂着红灯笼的老茶馆和小吃店。",
        "这条徒步线路全长约{n}公里，沿途可以看到雪山、草甸和高山湖泊。",
        "当地的特色美食包括手抓羊肉、酸奶和刚出炉的馕，价格也十分实惠。",
        "建议游客避开节假日出行，既能节省费用，也能获得更好的旅行体验。",
        "高铁开通以后，从省城到这座海滨小城只需要两个多小时。",
        "清晨的湖面上雾气缭绕，远处的山峦若隐若现，宛如一幅水墨画。",
        "民宿老板是一位返乡创业的年轻人，他把祖辈留下的老房子改造成了客栈。",
        "景区内禁止投喂野生动物，请游客自觉遵守相关规定。",
        "自驾游越来越受欢迎，不少家庭选择在周末驾车前往周边城市游玩。",
        "这座博物馆免费对公众开放，但每天限流{big}人，需要提前在网上预约。",
        "秋天是去草原的最佳季节，天高云淡，牛羊成群。",
        "如果时间充裕，可以在古城多住两晚，感受当地人悠闲的生活节奏。",
        "夜市里人头攒动，烤串、凉粉、臭豆腐的香味飘满了整条街。",
        "出境游持续升温，东南亚的海岛成为许多年轻人的首选目的地。",
        "山顶的气温比山脚低十度左右，登山时最好带一件厚外套。",
        "当地推出了“一票通”服务，游客凭一张门票可以游览{small}个景点。",
        "火车穿过长长的隧道，窗外忽然出现一片金黄色的油菜花田。",
        "导游介绍，这座寺庙始建于宋代，殿内的壁画至今色彩鲜艳。",
        "为了拍到日出，不少摄影爱好者凌晨三点就开始登山。",
        "研学旅行成为暑期热门，许多家长带孩子走进博物馆和科技馆。",
        "入住前最好仔细查看酒店的评价，尤其是关于卫生和隔音的反馈。",
        "这里的冬天虽然寒冷，但冰雕和雪景吸引了大批南方游客。",
        "沿江步道经过改造后，成了市民散步、骑行的好去处。",
        "从{city}出发，乘坐大巴大约{small}个小时就能到达景区门口。",
    ],
    "教育": [
        "新学期开始，{city}多所中小学推行课后延时服务，解决了家长接送难的问题。",
        "教育部门要求，义务教育阶段学校不得以任何形式举行入学考试。",
        "这位乡村教师已经在山区任教{years}年，先后送出了数百名学生。",
        "高考报名人数再创新高，许多考生和家长提前数月就开始研究志愿填报。",
        "专家认为，阅读习惯的培养应当从幼儿阶段开始，家长的陪伴至关重要。",
        "职业教育越来越受到重视，不少技术工人毕业后直接被企业高薪预订。",
        "学校引入了智慧课堂系统，老师可以实时了解每个学生的答题情况。",
        "减轻学生课业负担，不是简单地减少作业量，而是要提高作业的质量。",
        "一些家长反映，孩子的周末几乎被各种兴趣班占满，缺少自由玩耍的时间。",
        "这所大学今年新增了{small}个本科专业，集中在人工智能、集成电路等领域。",
        "在线教育平台提供了丰富的课程资源，但自主学习能力不足的学生很难坚持。",
        "校长表示，学校将继续加强体育和美育，让每个孩子都能找到自己的特长。",
        "研究生扩招在一定程度上缓解了就业压力，但也带来了培养质量的担忧。",
        "许多高校毕业生选择到基层就业，在乡村学校和社区服务中锻炼自己。",
        "学前教育普及率已超过九成，但优质普惠的幼儿园仍然供不应求。",
        "老师们发现，适当的小组合作学习能够明显提高课堂的参与度。",
        "国家助学贷款政策让家庭经济困难的学生不再因为学费而放弃上大学。",
        "为了保护学生视力，学校要求每天保证两小时的户外活动时间。",
        "终身学习的理念逐渐深入人心，社区老年大学的课程常常报名即满。",
        "教师培训不能只停留在听讲座，更应该走进课堂进行实践和反思。",
        "留学生人数保持增长，越来越多的外国学生选择来华学习中文。",
        "一位班主任说，和学生建立信任关系，比任何管理技巧都更加重要。",
        "该市计划在{year}年前新建和改扩建中小学{small}所，新增学位数万个。",
        "{city}一所中学的图书馆实行全天开放，学生课间也能进去看书。",
        "不少家长开始重视孩子的劳动教育，周末带孩子参与家务和田间劳动。",
    ],
}

ZH_TITLES = {
    "科技": ["{city}人工智能产业发展观察", "大模型时代，高质量数据从哪里来？", "5G基站建设提速 {city}城区基本实现全覆盖",
            "国产操作系统迎来新版本", "无人机配送走进{city}社区", "算力基础设施建设按下快进键",
            "网络诈骗花样翻新 警方提醒谨防上当", "开源社区里的中国开发者"],
    "经济": ["{city}出台新政支持小微企业", "一季度经济运行总体平稳", "跨境电商成为外贸新引擎",
            "消费市场持续回暖 商圈客流明显回升", "县城直播带货带动农民增收", "养老产业迎来发展机遇",
            "央行降准释放长期资金", "制造业景气度回升 市场信心增强"],
    "历史": ["千年古城的前世今生", "一座石桥见证的{city}往事", "丝绸之路上的文化交流",
            "竹简里的战国法律", "走进敦煌莫高窟", "都江堰：两千年的水利奇迹", "老街的记忆", "科举制度的兴衰"],
    "体育": ["主队逆转取胜 {city}球迷沸腾", "{city}马拉松鸣枪开跑", "女排决胜局力克对手", "升班马开局表现抢眼",
            "冰雪运动走向全国", "青少年足球培训乱象调查", "老将复出 状态依旧", "社区篮球赛火热进行中"],
    "健康": ["秋冬流感高发 医生提醒及时接种疫苗", "青少年近视防控刻不容缓", "科学减重的正确打开方式",
            "{city}新建社区卫生服务中心", "熬夜的代价你知道吗", "高血压患者切勿擅自停药", "每天走多少步最健康",
            "急救知识走进社区"],
    "旅游": ["五一假期{city}景区迎客流高峰", "古镇慢游攻略", "高山湖泊徒步线路推荐", "返乡青年的民宿梦",
            "秋天去草原看牛羊", "夜市美食地图", "冬季冰雪游升温", "{city}周边自驾游指南"],
    "教育": ["{city}中小学推行课后延时服务", "乡村教师的坚守", "职业教育迎来春天", "如何培养孩子的阅读习惯",
            "兴趣班占满周末 孩子累不累", "智慧课堂走进校园", "老年大学一座难求", "高考志愿填报指南"],
}

ZH_BAIKE_TERMS = {
    "科技": ["人工智能", "云计算", "物联网", "量子计算", "边缘计算", "机器学习", "语音识别", "自动驾驶"],
    "经济": ["跨境电商", "存款准备金率", "采购经理指数", "数字人民币", "小微企业", "消费价格指数"],
    "历史": ["丝绸之路", "科举制度", "都江堰", "莫高窟", "驿站", "地方志", "青铜器"],
    "体育": ["马拉松", "乒乓球", "电子竞技", "冰雪运动", "羽毛球", "排球"],
    "健康": ["流行性感冒", "高血压", "近视", "心肺复苏", "糖尿病", "家庭医生"],
    "旅游": ["古镇", "民宿", "研学旅行", "自驾游", "徒步旅行", "夜市"],
    "教育": ["职业教育", "学前教育", "课后服务", "终身学习", "国家助学贷款", "智慧课堂"],
}

ZH_FORUM_REPLIES = [
    "顶一下，楼主说得很有道理。", "同意楼上的观点。", "mark一下，回头再仔细看。", "我们这边情况也差不多。",
    "请问楼主，这个消息的来源是哪里？", "说得太好了，收藏了。", "不太同意，我觉得还要具体情况具体分析。",
    "沙发！", "围观一下，等后续。", "感谢分享，学到了。", "这个问题我也遇到过，后来找了客服才解决。",
    "楼主能不能再详细说说？", "路过，支持一下。", "前几天刚去过，确实跟楼主说的一样。",
    "有没有人知道具体的报名时间？", "涨知识了。", "希望有关部门能重视一下这个问题。",
    "我家孩子也是这样，真的很头疼。", "已经转发给朋友了。", "回复楼上：可以去官网查一下。",
]
ZH_USERNAMES = ["老王说事", "小城故事", "清风徐来", "zhangsan2024", "爱旅行的猫", "一只程序猿", "晴天", "路人甲",
                "江南烟雨", "阿杰", "李老师", "跑步的胖子", "月光宝盒", "数据搬运工", "养生达人", "随便看看"]

# Traditional Chinese (for the Big5 pages).
ZH_HANT = [
    "今年夏天台北的氣溫屢創新高，氣象單位提醒民眾注意防曬與補充水分。",
    "這間老字號的茶行已經經營超過六十年，至今仍堅持手工焙茶。",
    "捷運新路線通車後，從市區到機場只需要三十多分鐘。",
    "許多年輕人選擇回到家鄉創業，把傳統農產品包裝成文創商品。",
    "夜市是觀光客必訪的景點，蚵仔煎、珍珠奶茶和鹽酥雞最受歡迎。",
    "專家指出，少子化問題將對教育體系和勞動市場帶來長遠影響。",
    "半導體產業是經濟成長的重要動力，相關企業持續擴大投資。",
    "這座古蹟經過三年的修復工程，終於重新對外開放。",
    "醫師建議，長時間久坐的上班族應每小時起身活動幾分鐘。",
    "棒球季開打以來，球場的觀眾人數明顯增加。",
    "圖書館推出了週末親子共讀活動，吸引不少家長帶著孩子參加。",
    "颱風過後，各地農田受損嚴重，政府將提供補助協助農民復耕。",
    "老街上的木造建築保存完好，漫步其中彷彿回到了幾十年前。",
    "許多店家開始提供行動支付服務，民眾購物更加便利。",
    "登山步道沿途風景優美，但山區天氣多變，出發前務必做好準備。",
    "這位作家的新書描寫了三代人的家族故事，出版後廣受好評。",
    "學校鼓勵學生參加社團活動，培養課堂以外的興趣與能力。",
    "這項研究發現，每天規律運動的長者睡眠品質明顯較好。",
]
ZH_HANT_TITLES = ["台北高溫創新紀錄", "老茶行的堅持", "捷運新路線通車", "青年返鄉創業潮", "夜市美食巡禮",
                  "古蹟修復完工重新開放", "颱風過後農民復耕", "老街漫步"]

EN_TOPICS = {
    "technology": [
        "Engineers at the company say the new storage layer cut query latency by {pct} percent without any change to application code.",
        "Most teams discover that their data pipeline, not their model, is the real bottleneck.",
        "The update ships with a rewritten scheduler that handles thousands of concurrent jobs on a single node.",
        "Open-source maintainers have long warned that critical infrastructure often depends on a handful of unpaid volunteers.",
        "Battery technology has improved steadily, but the gains are measured in years rather than months.",
        "The city of {city} now publishes its transit data in real time, and several developers have already built apps on top of it.",
        "Security researchers disclosed the flaw to the vendor in {month}, and a patch followed six weeks later.",
        "Cloud costs can spiral quickly when nobody is responsible for shutting down idle machines.",
        "A good command-line tool does one thing well and composes cleanly with others.",
        "The startup raised {small} million dollars to build sensors that monitor soil moisture on small farms.",
        "Critics argue that recommendation algorithms optimize for engagement rather than for the wellbeing of users.",
        "Large language models are trained on text gathered from the public web, which makes careful filtering essential.",
        "The new chip packs more transistors into the same area, yet runs noticeably cooler under load.",
        "Many hospitals still rely on software written decades ago, and replacing it is risky and expensive.",
        "Remote work pushed companies to adopt video tools almost overnight, with mixed results.",
        "The benchmark measures throughput in tokens per second, which is only one part of the story.",
        "Satellite internet has brought fast connections to remote villages for the first time.",
        "Developers praised the release for its clear documentation and sensible defaults.",
        "Version control is the first tool a new programmer should learn, long before any framework.",
        "Backups that have never been restored are not really backups at all.",
        "Data centers in {city} are experimenting with using waste heat to warm nearby homes.",
        "The team rewrote the hot loop in a compiled language and saw a {small}-fold speedup.",
    ],
    "science": [
        "Astronomers detected a faint signal from a galaxy that formed less than a billion years after the Big Bang.",
        "The study followed {big} participants over ten years, making it one of the largest of its kind.",
        "Researchers caution that the results are preliminary and need to be replicated by independent groups.",
        "Coral reefs cover a tiny fraction of the ocean floor, yet they support about a quarter of all marine species.",
        "The probe will spend {n} months mapping the surface before attempting a landing.",
        "Climate scientists use ice cores to reconstruct temperatures going back hundreds of thousands of years.",
        "The new telescope can see through clouds of dust that hide young stars from ordinary cameras.",
        "Bees use the angle of the sun to communicate the location of food to the rest of the hive.",
        "Measurements taken at the station in {city} show that spring now arrives about a week earlier than it did in 1980.",
        "A single gram of soil can contain billions of bacteria belonging to thousands of species.",
        "The experiment was repeated {n} times to rule out errors in the equipment.",
        "Volcanic eruptions can cool the planet for several years by blocking sunlight with fine ash.",
        "Physicists hope the upgraded collider will reveal particles that current theories do not predict.",
        "Octopuses can solve simple puzzles and appear to recognize individual humans.",
        "The authors made their data and code public so that others can check the analysis.",
        "Groundwater levels in the region have fallen by {n} meters over the past two decades.",
        "Migrating birds rely on the Earth's magnetic field as well as on landmarks and stars.",
        "The vaccine candidate produced a strong immune response in early trials with few side effects.",
        "Scientists still debate how the moon formed, although a giant impact remains the leading theory.",
        "The glacier has retreated more than a kilometer since the first photographs were taken in the 1920s.",
        "Sleep appears to help the brain clear out waste products that build up during the day.",
    ],
    "economy": [
        "Inflation eased to {pct} percent in {month}, the lowest reading in more than two years.",
        "Small businesses in {city} say rising rents are a bigger worry than interest rates.",
        "The central bank left its benchmark rate unchanged, citing uncertainty about global demand.",
        "Shipping costs have returned to normal levels after the disruptions of the previous year.",
        "Economists expect hiring to slow as companies grow more cautious about the second half of the year.",
        "The retailer reported a {pct} percent rise in online sales, offsetting weaker foot traffic in its stores.",
        "Housing prices have cooled in most large cities, but the supply of homes for sale remains tight.",
        "Farmers are adopting drought-resistant crops to protect themselves against increasingly erratic weather.",
        "The merger would create the third-largest company in the industry, pending regulatory approval.",
        "Consumer confidence improved for the third consecutive month.",
        "Many workers now expect flexible schedules, and employers are adjusting benefits to keep them.",
        "Exports of electric vehicles and batteries grew faster than any other category last year.",
        "Analysts warned investors not to read too much into a single quarter of strong earnings.",
        "The local bakery doubled its staff after winning a contract to supply {n} cafes across the region.",
        "Tourism revenue in {city} has recovered fully and is now above its previous peak.",
        "Energy prices remain volatile, and manufacturers are signing longer supply contracts to reduce risk.",
        "The government announced a program of low-interest loans for first-time business owners.",
        "Productivity growth has been weak for a decade, puzzling economists on both sides of the debate.",
        "Credit card balances reached a record high, although delinquency rates stayed modest.",
        "Several factories are moving production closer to their customers to shorten supply chains.",
        "The company plans to hire {big} people over the next two years, mostly in engineering and sales.",
    ],
    "history": [
        "The cathedral took more than a century to complete, and its first builders never saw the finished tower.",
        "In the early nineteenth century, {city} was a small fishing village with fewer than {big} inhabitants.",
        "Letters preserved in the archive reveal how ordinary families coped with the long winter of the siege.",
        "The printing press made books cheaper and helped spread new ideas across Europe within a few decades.",
        "Roman engineers built aqueducts that carried water over distances of dozens of kilometers.",
        "The treaty ended years of conflict but left many of the underlying disputes unresolved.",
        "Historians still argue about the causes of the collapse, pointing to drought, war, and trade disruption.",
        "The canal opened in 1825 and transformed the economy of the towns along its route.",
        "Archaeologists uncovered the foundations of a merchant's house, complete with storage jars and coins.",
        "The expedition's diaries describe months of hunger, illness, and uncertainty.",
        "During the industrial revolution, children as young as eight worked long shifts in textile mills.",
        "The old lighthouse was automated in 1962, ending more than a century of resident keepers.",
        "Maps drawn by early navigators were surprisingly accurate along the coasts but vague inland.",
        "The library was founded by a group of merchants who wanted their apprentices to be able to read.",
        "Railways shrank travel times dramatically and led to the adoption of standard time zones.",
        "Oral histories collected in the 1970s preserve voices that would otherwise have been lost.",
        "The fortress changed hands {small} times in a single century.",
        "The right to vote was won only after decades of petitions, marches, and court cases.",
        "The museum's collection began with a single donated cabinet of minerals and shells.",
        "Silk, spices, and silver moved along trade routes that linked distant empires.",
        "After the great fire, the town of {city} was rebuilt in stone rather than wood.",
    ],
    "sports": [
        "The home side came from behind to win 3-2, with the decisive goal arriving in stoppage time.",
        "She finished the {city} marathon in just under two and a half hours, a personal best.",
        "The coach said the team's defending had improved but that they still concede too many chances.",
        "Tickets for the final sold out within minutes of going on sale.",
        "After a long injury layoff, the veteran returned to the lineup and scored with his first touch.",
        "The league introduced video review this season, and not everyone is convinced it has helped.",
        "Youth participation in cycling has risen sharply since the new bike paths opened.",
        "The rookie averaged {pts} points per game and was named to the all-star team.",
        "Heavy rain delayed the start of the match by nearly two hours.",
        "The club's new stadium will hold {big} spectators and is due to open next spring.",
        "Swimmers train for hours every morning, often before the sun comes up.",
        "The underdogs held on through a tense final set to claim their first title in {n} years.",
        "Fans lined the streets of {city} to welcome the team home after the championship.",
        "The transfer window closed with few surprises, as most clubs kept their spending modest.",
        "Physiotherapists say that warming up properly is the simplest way to avoid injuries.",
        "A late penalty sparked angry protests from the visiting players.",
        "The local chess club meets every Tuesday evening and welcomes players of all levels.",
        "Her serve was clocked at nearly 200 kilometers per hour during the semifinal.",
        "The team currently sits {small} points clear at the top of the table.",
        "Community leagues rely on volunteers to referee games, mark fields, and run the snack bar.",
        "The qualifying tournament drew athletes from {n} countries.",
    ],
    "health": [
        "Doctors recommend at least 150 minutes of moderate exercise each week for most adults.",
        "The clinic in {city} now offers evening appointments to make it easier for working parents.",
        "Drinking enough water is important, but there is no need to force down eight glasses a day.",
        "Researchers found that people who slept fewer than six hours a night were more likely to catch colds.",
        "A balanced diet includes plenty of vegetables, whole grains, and modest amounts of salt and sugar.",
        "The hospital reduced waiting times in its emergency department by {pct} percent after reorganizing triage.",
        "Flu season usually peaks in mid-winter, so vaccination in the autumn offers the best protection.",
        "Regular screening can catch many cancers early, when treatment is most effective.",
        "Mental health services remain stretched, with long waiting lists for counselling.",
        "Walking after meals appears to help regulate blood sugar, especially in older adults.",
        "Pharmacists can answer many questions about medication without the need for a doctor's visit.",
        "Sunscreen should be reapplied every two hours, and more often after swimming.",
        "The study tracked {big} children and found a clear link between late screen time and poor sleep.",
        "Physical therapy is often as effective as surgery for common knee problems.",
        "Quitting smoking at any age brings measurable benefits within weeks.",
        "Nurses say the new electronic records system saves them time on every shift.",
        "Loneliness has been linked to heart disease and a shorter life expectancy.",
        "Parents should keep medicines out of reach of children and check expiry dates regularly.",
        "Stretching for ten minutes a day can ease the back pain that comes from sitting at a desk.",
        "The health department opened {small} new vaccination sites in rural areas.",
        "Eating slowly gives the body time to signal that it is full.",
    ],
    "travel": [
        "The old town of {city} is best explored on foot, early in the morning before the crowds arrive.",
        "A night train connects the two cities, and a sleeper cabin costs little more than a hotel room.",
        "The trail climbs steadily through pine forest before opening onto a wide alpine meadow.",
        "Most museums close on Mondays, so plan your itinerary accordingly.",
        "The market sells fresh fruit, local cheese, and handmade baskets every Saturday morning.",
        "Ferries run every hour in summer but only twice a day during the winter months.",
        "Travelers should carry some cash, as smaller shops and rural buses may not accept cards.",
        "The guesthouse is run by a retired teacher who serves homemade bread at breakfast.",
        "From the top of the tower, you can see across the bay to the mountains on the other side.",
        "Spring brings mild weather and blooming orchards, making it an ideal time to visit.",
        "The coastal road is spectacular but narrow, so allow plenty of time for the drive.",
        "Entry to the gardens is free on the first Sunday of every month.",
        "The hike to the waterfall takes about {small} hours round trip and is suitable for families.",
        "Street food stalls open at dusk, filling the square with smoke and the smell of grilled meat.",
        "Booking accommodation early is essential during the summer festival season.",
        "A short boat ride takes you to a quiet island with sandy beaches and a single cafe.",
        "The bell tower is open to visitors who are willing to climb {steps} steps.",
        "Public transport in {city} is cheap, frequent, and easy to navigate even without the local language.",
        "Pack layers, because mountain weather can change quickly even in midsummer.",
        "The village is famous for its pottery, and many workshops welcome visitors.",
        "Sunset from the western cliffs is the highlight of any visit.",
    ],
    "food": [
        "Toast the spices in a dry pan for a minute before grinding them to release their aroma.",
        "The secret to a crisp crust is a very hot oven and a tray of water on the lowest shelf.",
        "Let the dough rest for at least an hour so that the gluten can relax.",
        "This soup tastes even better the next day, once the flavors have had time to blend.",
        "Season the vegetables generously and roast them until the edges begin to caramelize.",
        "Fresh herbs should go in at the very end, or they will lose their color and flavor.",
        "If the sauce is too thick, loosen it with a splash of the pasta cooking water.",
        "The recipe serves {small} people and can easily be doubled for a larger gathering.",
        "Slice the onions thinly and cook them slowly until they turn golden and sweet.",
        "A squeeze of lemon juice brightens almost any dish.",
        "Store the cookies in an airtight tin, where they will keep for about a week.",
        "Rinse the rice until the water runs clear to remove excess starch.",
        "Bake for {mins} minutes, or until a skewer inserted in the center comes out clean.",
        "Use a heavy-bottomed pot to prevent the stew from scorching.",
        "Marinate the chicken overnight for the most tender result.",
        "Leftover bread makes excellent croutons when tossed in oil and baked until crunchy.",
        "The farmers' market in {city} is the best place to find ripe tomatoes in late summer.",
        "Whisk the eggs and sugar until pale and thick before folding in the flour.",
        "A pinch of salt in sweet dishes balances the flavors and keeps them from tasting flat.",
        "Cool the cake completely before adding the frosting, or it will slide off.",
    ],
}

EN_TITLES = {
    "technology": ["How {city} Opened Its Transit Data", "Why Your Data Pipeline Is the Real Bottleneck",
                   "The Quiet Work of Open-Source Maintainers", "What the New Chip Means for Laptops",
                   "Cloud Bills and the People Who Forget Them", "Rewriting the Hot Loop", "Backups You Have Never Tested"],
    "science": ["A Faint Signal From the Early Universe", "What Ice Cores Tell Us About Past Climates",
                "The Hidden Life in a Handful of Soil", "Why Glaciers in the North Are Retreating",
                "How Migrating Birds Find Their Way", "Inside the Upgraded Collider"],
    "economy": ["Inflation Eases Again in {month}", "Small Businesses in {city} Struggle With Rent",
                "Central Bank Holds Rates Steady", "Why Factories Are Moving Closer to Home",
                "Consumer Confidence Rises for a Third Month", "The Slow Puzzle of Productivity"],
    "history": ["The Town That Rebuilt in Stone", "Letters From the Long Winter", "How Railways Changed Time",
                "The Keepers of the Old Lighthouse", "A Merchant's House Rediscovered", "The Canal That Made {city}"],
    "sports": ["Late Winner Seals Comeback Victory", "A Personal Best at the {city} Marathon",
               "Underdogs Claim First Title", "The Debate Over Video Review", "Volunteers Keep Community Leagues Alive",
               "Veteran Returns With a Goal"],
    "health": ["How Much Exercise Do You Really Need?", "Evening Clinics Open in {city}",
               "Sleep, Screens, and Children", "Why Walking After Meals Helps", "The Real Cost of Loneliness",
               "Flu Season: When to Get Vaccinated"],
    "travel": ["A Morning Walk Through Old {city}", "Taking the Night Train", "The Trail to the Alpine Meadow",
               "Island Hopping on a Budget", "A Weekend in Pottery Country", "Street Food at Dusk"],
    "food": ["Simple Roast Vegetables", "The Secret to a Crisp Crust", "Slow-Cooked Onion Soup",
             "Lemon Cake for Beginners", "Weeknight Rice and Beans", "Making Croutons From Old Bread"],
}

# Western European text for the windows-1252 pages (curly quotes and accents on purpose).
EN_CP1252 = [
    "The café on the corner serves a crème brûlée that regulars describe as “worth the trip alone.”",
    "Our guide, Zoë, pointed out the façade of the old château and its restored façade clock.",
    "“We’re open every day except Tuesday,” the owner said, wiping down the zinc counter.",
    "The menu lists pâté, gruyère, and a smoked jalapeño salsa — an odd but happy mix.",
    "Tickets cost €12 for adults and €6 for children; entry is free for residents.",
    "The naïve charm of the village fête draws visitors from all over the région.",
    "A déjà vu moment: the same street musician, the same song, ten years later.",
    "The résumé of the new head chef includes stints in Zürich, Málaga and São Paulo.",
]

CODE_PROSE_EN = [
    "In this tutorial we read the source of `{func}` from the `{module}` module and explain what each part does.",
    "Reading the standard library is one of the best ways to learn idiomatic Python.",
    "The function is short, but it handles several edge cases that are easy to miss.",
    "Notice how the code validates its arguments before doing any real work.",
    "The docstring says: {doc}",
    "If you want to experiment, paste the function into a REPL and call it with a few different inputs.",
    "A common mistake is to reimplement this logic by hand instead of importing `{module}`.",
    "Where the code loops, it avoids building an intermediate list, which keeps memory use low.",
    "Type hints are absent here because this code predates them, but the intent is still clear.",
    "Compare this with your own version and note which corner cases you forgot.",
    "Once you understand `{func}`, the rest of `{module}` is much easier to follow.",
    "Try writing a small test for `{func}` before you change anything in it.",
    "Performance is rarely the first concern in this module; clarity and correctness come first.",
]
CODE_PROSE_ZH = [
    "本文带大家阅读 Python 标准库中 `{module}` 模块的 `{func}` 函数源码，并逐段讲解它的实现思路。",
    "阅读标准库源码是学习地道 Python 写法的好方法。",
    "这个函数虽然不长，但处理了好几个容易被忽略的边界情况。",
    "注意代码在真正开始计算之前，会先检查参数是否合法。",
    "函数的文档字符串写道：{doc}",
    "建议把这段代码复制到交互式解释器里，用不同的输入多试几次。",
    "很多初学者会自己重新实现这段逻辑，其实直接导入 `{module}` 就可以了。",
    "理解了 `{func}` 之后，再看 `{module}` 模块的其他部分就容易多了。",
    "在修改这段代码之前，最好先为 `{func}` 写几个简单的测试。",
]
STDLIB_MODULES = ["textwrap.py", "heapq.py", "bisect.py", "fnmatch.py", "shlex.py", "colorsys.py",
                  "statistics.py", "string.py", "glob.py", "posixpath.py", "base64.py", "calendar.py",
                  "difflib.py", "pprint.py", "csv.py", "functools.py", "operator.py", "keyword.py",
                  "quopri.py", "uu.py", "netrc.py", "graphlib.py", "ipaddress.py", "fractions.py",
                  "json/encoder.py", "json/decoder.py", "urllib/parse.py", "email/utils.py",
                  "html/__init__.py", "http/cookies.py", "collections/__init__.py", "copy.py"]

SPAM_ZH = ["澳门新葡京", "在线娱乐城", "真人视讯", "体育投注", "彩票开奖", "老虎机", "注册即送888元彩金", "首存翻倍",
           "24小时在线客服", "提款秒到账", "百家乐", "电子游艺", "官方唯一指定网站", "信誉第一", "天天返水",
           "手机投注", "最高返利", "新用户专享", "点击进入>>>", "免费试玩"]
SPAM_EN_KEYWORDS = ["cheap watches", "best cheap watches", "buy cheap watches online", "replica watches",
                    "discount watches", "cheap watches sale", "luxury watches cheap", "watches free shipping",
                    "cheap designer bags", "bags outlet", "cheap flights", "best price guaranteed"]
LOREM = ("lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore "
         "et dolore magna aliqua ut enim ad minim veniam quis nostrud exercitation ullamco laboris nisi ut "
         "aliquip ex ea commodo consequat duis aute irure dolor in reprehenderit in voluptate velit esse "
         "cillum dolore eu fugiat nulla pariatur excepteur sint occaecat cupidatat non proident sunt in "
         "culpa qui officia deserunt mollit anim id est laborum").split()

# --------------------------------------------------------------------------------------
# Sites: each host has its own boilerplate, so boilerplate removal has something to do.
# --------------------------------------------------------------------------------------

SITES = {
    "news.example-zh.cn": dict(lang="zh", name="示例新闻网", server="nginx/1.24.0",
                               nav=["首页", "国内", "国际", "财经", "科技", "体育", "健康", "旅游", "教育"],
                               cookie="本网站使用Cookie以提升您的浏览体验。继续浏览即表示您同意我们的Cookie政策。",
                               accept="接受", side="热门排行", related="相关阅读",
                               footer="&copy; 2024 示例新闻网 版权所有 | 京ICP备00000000号 | 联系我们 | 隐私政策 | 广告服务"),
    "baike.example-zh.cn": dict(lang="zh", name="示例百科", server="Tengine",
                                nav=["首页", "分类", "特色词条", "帮助", "登录", "注册"],
                                cookie="我们使用Cookie来改善您的使用体验，详情请查看隐私声明。", accept="我知道了",
                                side="热门词条", related="参见",
                                footer="&copy; 2024 示例百科 本站内容采用知识共享协议发布 | 免责声明 | 意见反馈"),
    "bbs.example-zh.cn": dict(lang="zh", name="示例社区论坛", server="Apache/2.4.57",
                              nav=["论坛首页", "生活", "数码", "情感", "旅行", "搜索", "登录", "立即注册"],
                              cookie="本站使用Cookie。登录后即可发帖和回复。", accept="关闭",
                              side="今日热帖", related="推荐主题",
                              footer="Powered by ExampleBBS X3.4 &copy; 2001-2024 示例社区 | 手机版 | 小黑屋 | 站点统计"),
    "www.example-gbk.cn": dict(lang="zh", name="老站资讯网", server="Microsoft-IIS/6.0",
                               nav=["首页", "新闻中心", "财经频道", "文化", "论坛", "留言板"],
                               cookie="本站使用Cookie记录您的浏览偏好。", accept="确定", side="最新更新",
                               related="相关新闻", footer="版权所有 &copy; 2004-2024 老站资讯网 | 联系我们 | 网站地图"),
    "news.example-tw.com": dict(lang="zh-Hant", name="範例新聞", server="nginx",
                                nav=["首頁", "政治", "財經", "生活", "國際", "運動"],
                                cookie="本網站使用Cookie以提供更好的瀏覽體驗。", accept="同意", side="熱門新聞",
                                related="延伸閱讀", footer="&copy; 2024 範例新聞 版權所有 | 隱私權政策 | 聯絡我們"),
    "code.example-zh.cn": dict(lang="zh", name="示例编程教程", server="nginx/1.22.1",
                               nav=["首页", "Python教程", "算法", "数据库", "前端", "问答"],
                               cookie="本站使用Cookie统计访问量。", accept="好的", side="教程目录",
                               related="下一篇", footer="&copy; 2024 示例编程教程 | 代码示例遵循原项目许可证 | 关于我们"),
    "news.example.com": dict(lang="en", name="The Example Times", server="nginx/1.25.3",
                             nav=["Home", "World", "Business", "Technology", "Science", "Sports", "Health", "Travel"],
                             cookie="We use cookies to personalise content and analyse our traffic. By continuing you agree to our cookie policy.",
                             accept="Accept all", side="Most read", related="Related stories",
                             footer="&copy; 2024 The Example Times. All rights reserved. | Terms of Service | Privacy Policy | Contact"),
    "blog.example.org": dict(lang="en", name="Notes from Example", server="Apache/2.4.58 (Debian)",
                             nav=["Home", "Archive", "Tags", "About", "RSS"],
                             cookie="This site uses cookies. Learn more in our privacy notice.", accept="OK",
                             side="Recent posts", related="You might also like",
                             footer="Copyright &copy; 2024 Notes from Example. Powered by ExamplePress. Theme by Example Studio."),
    "wiki.example.net": dict(lang="en", name="ExampleWiki", server="Apache",
                             nav=["Main page", "Contents", "Random article", "About", "Log in"],
                             cookie="ExampleWiki uses cookies to remember your preferences.", accept="Dismiss",
                             side="In other articles", related="See also",
                             footer="Text is available under a Creative Commons licence; additional terms may apply. | Privacy policy | Disclaimers"),
    "pytutor.example.com": dict(lang="en", name="PyTutor Example", server="gunicorn",
                                nav=["Tutorials", "Reference", "Exercises", "Blog", "Sign in"],
                                cookie="We use cookies to keep you signed in.", accept="Got it",
                                side="More tutorials", related="Next steps",
                                footer="&copy; 2024 PyTutor Example. Code samples from the Python standard library, PSF licence."),
    "www.example-bet.cn": dict(lang="zh", name="娱乐城官方网站", server="nginx",
                               nav=["首页", "真人娱乐", "体育投注", "电子游艺", "彩票游戏", "优惠活动", "免费注册"],
                               cookie="", accept="", side="热门游戏", related="优惠活动",
                               footer="&copy; 2024 版权所有 | 未满18岁禁止进入 | 理性投注"),
    "cheap-deals.example.biz": dict(lang="en", name="Cheap Deals Online", server="LiteSpeed",
                                    nav=["Home", "Watches", "Bags", "Flights", "Deals", "Contact"],
                                    cookie="", accept="", side="Top deals", related="Hot keywords",
                                    footer="&copy; 2024 cheap-deals.example.biz | cheap watches | cheap bags | cheap flights"),
    "lorem.example.info": dict(lang="en", name="Placeholder Site", server="nginx",
                               nav=["Home", "About", "Services", "Contact"], cookie="", accept="",
                               side="Links", related="More", footer="&copy; 2024 Company Name. All rights reserved."),
}

# --------------------------------------------------------------------------------------
# Composition
# --------------------------------------------------------------------------------------

_SLOT = re.compile(r"\{(\w+)\}")


def fill(rng: random.Random, template: str, lang: str, extra: dict | None = None) -> str:
    def one(m):
        k = m.group(1)
        if extra and k in extra:
            return str(extra[k])
        if k == "city":
            return rng.choice(ZH_CITIES if lang.startswith("zh") else EN_CITIES)
        if k == "month":
            return str(rng.randint(2, 11)) if lang.startswith("zh") else rng.choice(EN_MONTHS)
        ranges = {"n": (3, 60), "big": (1000, 9999), "small": (2, 12), "year": (2016, 2024),
                  "age": (16, 34), "rank": (1, 16), "pts": (12, 35), "years": (10, 35),
                  "steps": (150, 450), "mins": (20, 50)}
        if k == "pct":
            return "%.1f" % rng.uniform(0.5, 20.0)
        if k in ranges:
            lo, hi = ranges[k]
            v = rng.randint(lo, hi)
            return "{:,}".format(v) if (k == "big" and not lang.startswith("zh")) else str(v)
        return m.group(0)
    return _SLOT.sub(one, template)


def paragraphs(rng: random.Random, bank: list[str], lang: str, n_par: tuple[int, int],
               n_sent: tuple[int, int]) -> list[str]:
    # Sentences are drawn without replacement within a document so it reads like prose,
    # not a loop; sampling from a shuffled copy keeps documents of one topic distinct.
    pool = bank[:]
    rng.shuffle(pool)
    out, i = [], 0
    joiner = "" if lang.startswith("zh") else " "
    for _ in range(rng.randint(*n_par)):
        k = rng.randint(*n_sent)
        sents = [fill(rng, pool[(i + j) % len(pool)], lang) for j in range(k)]
        i += k
        out.append(joiner.join(sents))
    return out


class Doc:
    """One article: what the HTML page and the JSONL record are both rendered from."""

    def __init__(self, kind, lang, topic, title, paras, host, path, date, extra=None):
        self.kind, self.lang, self.topic, self.title = kind, lang, topic, title
        self.paras, self.host, self.path, self.date = paras, host, path, date
        self.extra = extra or {}

    @property
    def url(self):
        return "https://%s%s" % (self.host, self.path)

    def text(self):
        return self.title + "\n\n" + "\n\n".join(self.paras)


def random_date(rng: random.Random) -> dt.datetime:
    start = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    return start + dt.timedelta(seconds=rng.randrange(366 * 86400))


def zh_article(rng, kind="news", host="news.example-zh.cn", topic=None, date=None):
    topic = topic or rng.choice(list(ZH_TOPICS))
    date = date or random_date(rng)
    title = fill(rng, rng.choice(ZH_TITLES[topic]), "zh")
    paras = paragraphs(rng, ZH_TOPICS[topic], "zh", (3, 4), (2, 4))
    aid = rng.randrange(100000, 999999)
    if kind == "news":
        lead = "本报讯（记者 %s）" % rng.choice(["王磊", "李静", "张伟", "刘洋", "陈晨", "赵敏", "周婷", "吴昊"])
        paras[0] = lead + paras[0]
        path = "/%s/%04d/%02d%02d/c%d.html" % (
            {"科技": "tech", "经济": "finance", "历史": "culture", "体育": "sports", "健康": "health",
             "旅游": "travel", "教育": "edu"}[topic], date.year, date.month, date.day, aid)
    elif kind == "baike":
        term = rng.choice(ZH_BAIKE_TERMS[topic])
        title = term
        paras.insert(0, "%s是%s领域的一个常用概念，相关的研究和应用在近年来发展迅速。" % (term, topic))
        path = "/item/%s/%d" % (term.encode("utf-8").hex(), aid)
    elif kind == "forum":
        path = "/thread-%d-1-1.html" % aid
    else:
        path = "/html/%04d%02d/%d.html" % (date.year, date.month, aid)
    return Doc(kind, "zh", topic, title, paras, host, path, date,
               {"author": rng.choice(ZH_USERNAMES)})


def zh_hant_article(rng, date=None):
    date = date or random_date(rng)
    pool = ZH_HANT[:]
    rng.shuffle(pool)
    k = rng.randint(6, 10)
    sents = pool[:k]
    paras = ["".join(sents[i:i + 3]) for i in range(0, k, 3)]
    return Doc("news", "zh-Hant", "生活", rng.choice(ZH_HANT_TITLES), paras, "news.example-tw.com",
               "/news/%04d%02d%02d/%d" % (date.year, date.month, date.day, rng.randrange(10**6, 10**7)), date)


def en_article(rng, host=None, topic=None, date=None):
    topic = topic or rng.choice(list(EN_TOPICS))
    host = host or rng.choice(["news.example.com", "blog.example.org", "wiki.example.net"])
    date = date or random_date(rng)
    title = fill(rng, rng.choice(EN_TITLES[topic]), "en")
    paras = paragraphs(rng, EN_TOPICS[topic], "en", (3, 5), (2, 4))
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    if host == "news.example.com":
        path = "/%s/%04d/%02d/%02d/%s-%d" % (topic, date.year, date.month, date.day, slug, rng.randrange(10**4, 10**5))
    elif host == "blog.example.org":
        path = "/%04d/%02d/%s/" % (date.year, date.month, slug)
    else:
        path = "/wiki/%s_%d" % (slug.replace("-", "_").title(), rng.randrange(100, 10000))
    return Doc("article", "en", topic, title, paras, host, path, date,
               {"author": rng.choice(["Alex Morgan", "Sam Lee", "Jordan Price", "Casey Brooks", "Robin Hale",
                                      "Taylor Quinn", "Morgan Ellis", "Jamie Ford"])})


def load_snippets() -> list[tuple[str, str, str, str]]:
    """(module, qualified name, first docstring line, source) for small stdlib functions."""
    lib = pathlib.Path(sysconfig.get_paths()["stdlib"])
    out = []
    for rel in STDLIB_MODULES:
        p = lib / rel
        if not p.exists():
            continue
        src = p.read_text(encoding="utf-8")
        lines = src.splitlines()
        mod = rel[:-3].replace("/__init__", "").replace("/", ".")
        nodes = []
        for node in ast.parse(src).body:
            if isinstance(node, ast.FunctionDef):
                nodes.append((node.name, node))
            elif isinstance(node, ast.ClassDef):
                nodes += [(node.name + "." + n.name, n) for n in node.body if isinstance(n, ast.FunctionDef)]
        for name, node in nodes:
            n_lines = node.end_lineno - node.lineno + 1
            if 6 <= n_lines <= 45 and not name.split(".")[-1].startswith("__"):
                code = textwrap.dedent("\n".join(lines[node.lineno - 1:node.end_lineno]))
                doc = (ast.get_docstring(node) or "").strip().split("\n")[0]
                out.append((mod, name, doc, code))
    return out


def code_article(rng, snippets, zh=False, date=None):
    date = date or random_date(rng)
    mod, name, doc, code = snippets[rng.randrange(len(snippets))]
    mod2, name2, _, code2 = snippets[rng.randrange(len(snippets))]
    prose = CODE_PROSE_ZH if zh else CODE_PROSE_EN
    doc = doc or ("（无文档字符串）" if zh else "(no docstring)")
    extra = {"func": name, "module": mod, "doc": doc}
    pool = prose[1:]
    rng.shuffle(pool)
    lead_in = "下面是完整的源码，未做任何修改：" if zh else \
        "Here is the complete source, unchanged from the standard library:"
    blocks = [("p", prose[0].format(**extra))]
    blocks += [("p", t.format(**extra)) for t in pool[:3]]
    blocks += [("p", lead_in), ("code", code)]
    blocks += [("p", t.format(**extra)) for t in pool[3:5]]
    if rng.random() < 0.5:
        blocks.append(("p", ("作为对比，再看一下 `%s` 模块中的 `%s`：" if zh else
                             "For comparison, here is `%s` from `%s`:").replace("%s", "{}", 2).format(
            *((mod2, name2) if zh else (name2, mod2)))))
        blocks.append(("code", code2))
    title = ("Python 标准库源码阅读：%s.%s" if zh else "Understanding %s.%s in Python") % (mod, name)
    host = "code.example-zh.cn" if zh else "pytutor.example.com"
    path = "/python/%s/%s.html" % (mod.replace(".", "/"), name.lower().replace(".", "-"))
    d = Doc("code", "zh" if zh else "en", "python", title, [], host, path, date)
    d.extra["blocks"] = blocks
    return d


def code_text(d: Doc) -> str:
    return d.title + "\n\n" + "\n\n".join(b for _, b in d.extra["blocks"])


# --------------------------------------------------------------------------------------
# HTML rendering
# --------------------------------------------------------------------------------------

def render_html(rng: random.Random, d: Doc, meta_charset: str | None, sidebar_titles: list[str],
                meta_style: str = "html5") -> str:
    s = SITES[d.host]
    esc = html.escape
    head = []
    if meta_charset and meta_style == "html5":
        head.append('<meta charset="%s">' % meta_charset)
    elif meta_charset:
        head.append('<meta http-equiv="Content-Type" content="text/html; charset=%s">' % meta_charset)
    head.append('<meta name="viewport" content="width=device-width, initial-scale=1">')
    head.append("<title>%s - %s</title>" % (esc(d.title), s["name"]))
    first = d.paras[0] if d.paras else d.title
    head.append('<meta name="description" content="%s">' % esc(first[:80]))
    head.append('<link rel="stylesheet" href="/static/css/main.%08x.css">' % (hash_str(d.host) & 0xFFFFFFFF))
    head.append("<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}"
                "gtag('js',new Date());</script>")

    nav = "".join('<li><a href="/%s">%s</a></li>' % ("" if i == 0 else "c%d/" % i, n)
                  for i, n in enumerate(s["nav"]))
    links = ['<li><a href="/a/%d.html">%s</a></li>' % (rng.randrange(10**5, 10**6), esc(t))
             for t in sidebar_titles]
    side, related = "".join(links), "".join(links[: len(links) // 2])
    body = ['<h1 class="title">%s</h1>' % esc(d.title)]
    when = d.date.strftime("%Y-%m-%d %H:%M")
    if d.kind == "forum":
        users = ZH_USERNAMES[:]
        rng.shuffle(users)
        body.append('<div class="post" id="post-1"><div class="author">%s</div><div class="time">发表于 %s</div>'
                    '<div class="content">%s</div></div>'
                    % (users[0], when, "".join("<p>%s</p>" % esc(p) for p in d.paras)))
        for i in range(rng.randint(2, 6)):
            body.append('<div class="post" id="post-%d"><div class="author">%s</div><div class="content">%s</div>'
                        '<div class="floor">%d#</div></div>'
                        % (i + 2, users[(i + 1) % len(users)], esc(rng.choice(ZH_FORUM_REPLIES)), i + 2))
    elif d.kind == "code":
        for kind, b in d.extra["blocks"]:
            if kind == "code":
                body.append('<pre><code class="language-python">%s</code></pre>' % esc(b))
            else:
                body.append("<p>%s</p>" % re.sub(r"`([^`]+)`", r"<code>\1</code>", esc(b)))
    else:
        by = d.extra.get("author", "")
        body.append('<div class="meta"><span class="date">%s</span> <span class="author">%s</span></div>'
                    % (when, esc(by)))
        for i, p in enumerate(d.paras):
            if d.kind == "baike" and i in (1, 3):
                body.append("<h2>%s</h2>" % ("概述" if i == 1 else "发展现状"))
            body.append("<p>%s</p>" % esc(p))
    cookie = ('<div id="cookie-banner" class="cookie-consent"><p>%s</p><button>%s</button></div>\n'
              % (s["cookie"], s["accept"])) if s["cookie"] else ""
    lang = d.lang if d.lang != "zh" else "zh-CN"
    return (
        '<!DOCTYPE html>\n<html lang="%s">\n<head>\n%s\n</head>\n<body>\n%s'
        '<header class="site-header"><a class="logo" href="/">%s</a>\n'
        '<nav class="main-nav"><ul>%s</ul></nav></header>\n'
        '<div class="container">\n<main>\n<article>\n%s\n</article>\n'
        '<div class="related"><h3>%s</h3><ul>%s</ul></div>\n</main>\n'
        '<aside class="sidebar"><h3>%s</h3><ol>%s</ol></aside>\n</div>\n'
        '<footer class="site-footer"><p>%s</p></footer>\n'
        '<script src="/static/js/app.js" async></script>\n</body>\n</html>\n'
        % (lang, "\n".join(head), cookie, s["name"], nav, "\n".join(body), s["related"],
           related, s["side"], side, s["footer"]))


def hash_str(s: str) -> int:
    return zlib.crc32(s.encode("utf-8"))


def sidebar(rng, lang, k=4):
    if lang == "zh-Hant":
        return rng.sample(ZH_HANT_TITLES, k)
    if lang.startswith("zh"):
        return [fill(rng, rng.choice(ZH_TITLES[t]), "zh") for t in rng.sample(list(ZH_TITLES), k)]
    return [fill(rng, rng.choice(EN_TITLES[t]), "en") for t in rng.sample(list(EN_TITLES), k)]


# --------------------------------------------------------------------------------------
# HTTP responses
# --------------------------------------------------------------------------------------

class Page:
    """One response record to write: url, fetch date, status line, headers, body bytes."""

    def __init__(self, kind, url, date, body, content_type="text/html; charset=utf-8",
                 status="200 OK", extra_headers=(), server="nginx"):
        self.kind, self.url, self.date, self.body = kind, url, date, body
        self.status, self.content_type = status, content_type
        self.extra_headers, self.server = list(extra_headers), server


def html_page(rng, kind, d: Doc, encoding="utf-8", declare="both", meta_style="html5",
              label=None, url=None, date=None):
    """Render ``d`` and encode it; ``declare`` says where the charset is named:
    both, header (HTTP only), meta (<meta> only) or none."""
    label = label or encoding
    meta = label if declare in ("both", "meta") else None
    text = render_html(rng, d, meta, sidebar(rng, d.lang), meta_style)
    body = text.encode(encoding)  # strict: a bank sentence the codec lacks is a bug here
    ctype = "text/html; charset=%s" % label if declare in ("both", "header") else "text/html"
    return Page(kind, url or d.url, date or d.date, body, ctype, server=SITES[d.host]["server"])


def http_bytes(p: Page) -> bytes:
    from email.utils import format_datetime
    headers = ["HTTP/1.1 %s" % p.status, "Date: %s" % format_datetime(p.date, usegmt=True),
               "Server: %s" % p.server]
    if p.content_type:
        headers.append("Content-Type: %s" % p.content_type)
    headers += p.extra_headers
    headers += ["Content-Length: %d" % len(p.body), "Connection: close"]
    return ("\r\n".join(headers) + "\r\n\r\n").encode("latin-1") + p.body


def png_bytes(rng, w=24, h=24) -> bytes:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + bytes(rng.randrange(256) for _ in range(w * 3)) for _ in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def pdf_bytes(title: str) -> bytes:
    stream = ("BT /F1 18 Tf 72 720 Td (%s) Tj ET" % title).encode("latin-1")
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (i, o)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


NGINX_ERROR = ("<html>\r\n<head><title>{code}</title></head>\r\n<body>\r\n<center><h1>{code}</h1></center>\r\n"
               "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")


# --------------------------------------------------------------------------------------
# Spam and low quality
# --------------------------------------------------------------------------------------

def spam_doc(rng, flavour, date):
    aid = rng.randrange(10**5, 10**6)
    if flavour == "gambling_zh":
        title = "-".join(rng.sample(SPAM_ZH, 3))
        paras = ["，".join(rng.choices(SPAM_ZH, k=rng.randint(10, 16))) + "！" for _ in range(rng.randint(4, 7))]
        paras.append("客服微信：example%03d 客服QQ：10000%04d 官方网址：www.example-bet.cn" % (
            rng.randrange(1000), rng.randrange(10000)))
        return Doc("spam", "zh", "gambling", title, paras, "www.example-bet.cn", "/game/%d.html" % aid, date)
    if flavour == "keywords_en":
        kw = rng.sample(SPAM_EN_KEYWORDS, 4)
        title = " | ".join(k.title() for k in kw)
        paras = []
        for _ in range(rng.randint(4, 7)):
            words = []
            for _ in range(rng.randint(6, 12)):
                k = rng.choice(kw)
                words.append(rng.choice(["Buy %s now.", "%s!", "Best %s.", "%s %s %s.", "Top %s deals.",
                                         "%s at the lowest price."]).replace("%s", k))
            paras.append(" ".join(words))
        return Doc("spam", "en", "keywords", title, paras, "cheap-deals.example.biz",
                   "/%s-%d.html" % (kw[0].replace(" ", "-"), aid), date)
    if flavour == "lorem":
        def sent():
            w = [rng.choice(LOREM) for _ in range(rng.randint(8, 18))]
            return " ".join(w).capitalize() + "."
        paras = [" ".join(sent() for _ in range(rng.randint(3, 6))) for _ in range(rng.randint(3, 5))]
        return Doc("spam", "en", "lorem", "Lorem Ipsum Dolor", paras, "lorem.example.info", "/page-%d" % aid, date)
    # thin: placeholder pages with almost no content
    paras = [rng.choice(["Coming soon.", "This domain may be for sale. Contact the owner.",
                         "Under construction. Please check back later.", "Welcome to our new website!"])]
    return Doc("spam", "en", "thin", rng.choice(["Coming Soon", "Welcome", "Home"]), paras,
               "lorem.example.info", "/%d/" % aid, date)


# --------------------------------------------------------------------------------------
# Duplicates
# --------------------------------------------------------------------------------------

def near_duplicate(rng, d: Doc) -> Doc:
    """Same article, small edits, new URL: one sentence rewritten, an editor's note added,
    sometimes a paragraph dropped or the title suffixed (what syndication and reposts do)."""
    paras = d.paras[:]
    lang = d.lang
    bank = ZH_TOPICS.get(d.topic) or EN_TOPICS.get(d.topic)
    i = rng.randrange(len(paras))
    if bank:
        sep = "" if lang.startswith("zh") else " "
        parts = re.split(r"(?<=。)" if lang.startswith("zh") else r"(?<=\.) ", paras[i])
        parts = [p for p in parts if p]
        parts[rng.randrange(len(parts))] = fill(rng, rng.choice(bank), lang)
        paras[i] = sep.join(parts)
    if len(paras) > 4 and rng.random() < 0.3:
        del paras[-2]
    if lang.startswith("zh"):
        paras.append(rng.choice(["（责任编辑：%s）", "（来源：网络，如有侵权请联系删除）%s", "转载请注明出处。%s"])
                     % rng.choice(["王磊", "李静", "张伟", ""]))
        host, path = d.host, d.path.replace(".html", "_%d.html" % rng.randrange(2, 9))
        title = d.title + rng.choice(["", "（图）", "（转载）"])
    else:
        paras.append(rng.choice(["This article originally appeared in The Example Times.",
                                 "Updated with additional reporting.", "Correction: an earlier version misstated a date."]))
        host = rng.choice([h for h in ("news.example.com", "blog.example.org", "wiki.example.net") if h != d.host])
        path = "/reprint/%d/%s" % (rng.randrange(10**4, 10**5), d.path.strip("/").split("/")[-1])
        title = d.title
    date = d.date + dt.timedelta(days=rng.randint(0, 20), seconds=rng.randrange(86400))
    return Doc(d.kind, lang, d.topic, title, paras, host, path, min(date, END_2024), dict(d.extra))


END_2024 = dt.datetime(2024, 12, 31, 23, 59, 59, tzinfo=dt.timezone.utc)


# --------------------------------------------------------------------------------------
# The WARC plan
# --------------------------------------------------------------------------------------

WARC_PLAN = [  # (kind, count)
    ("zh_news_utf8", 280), ("zh_baike_utf8", 120), ("zh_forum_utf8", 120),
    ("zh_gbk_header_only", 30), ("zh_gb18030_header_only", 15), ("zh_gbk_meta_only", 30),
    ("zh_big5_header_only", 10), ("zh_big5_meta_only", 10),
    ("zh_gbk_undeclared", 12), ("zh_utf8_undeclared", 12),
    ("en_article", 300), ("en_windows1252", 10),
    ("code_en", 120), ("code_zh", 40),
    ("spam_gambling_zh", 30), ("spam_keywords_en", 30), ("spam_lorem", 20), ("spam_thin", 10),
    ("near_duplicate", 50), ("exact_duplicate_new_url", 25), ("exact_duplicate_recrawl", 10),
    ("http_404", 8), ("http_301", 8), ("http_500", 5), ("http_403", 3),
    ("image_png", 5), ("application_pdf", 4), ("application_json", 3), ("empty_body", 6),
]


def build_pages(rng: random.Random, snippets) -> tuple[list[Page], list[Doc]]:
    pages: list[Page] = []
    originals: list[tuple[Doc, Page]] = []  # articles eligible to be duplicated
    gbk_host = "www.example-gbk.cn"
    for kind, count in WARC_PLAN:
        for i in range(count):
            date = random_date(rng)
            if kind == "zh_news_utf8":
                d = zh_article(rng, "news", date=date)
                p = html_page(rng, kind, d, meta_style="html5" if i % 3 else "http-equiv")
                originals.append((d, p))
            elif kind == "zh_baike_utf8":
                d = zh_article(rng, "baike", "baike.example-zh.cn", date=date)
                p = html_page(rng, kind, d)
                originals.append((d, p))
            elif kind == "zh_forum_utf8":
                d = zh_article(rng, "forum", "bbs.example-zh.cn", date=date)
                p = html_page(rng, kind, d, label="UTF-8" if i % 2 else "utf-8")
            elif kind == "zh_gbk_header_only":
                d = zh_article(rng, "legacy", gbk_host, date=date)
                p = html_page(rng, kind, d, "gbk", "header", label=["gbk", "GBK"][i % 2])
            elif kind == "zh_gb18030_header_only":
                d = zh_article(rng, "legacy", gbk_host, date=date)
                p = html_page(rng, kind, d, "gb18030", "header", label="GB18030")
            elif kind == "zh_gbk_meta_only":
                d = zh_article(rng, "legacy", gbk_host, date=date)
                # Old sites say gb2312 and mean GBK (WHATWG maps the label to GBK).
                p = html_page(rng, kind, d, "gbk", "meta", meta_style=["html5", "http-equiv"][i % 2],
                              label=["gbk", "gb2312"][i % 2])
            elif kind in ("zh_big5_header_only", "zh_big5_meta_only"):
                d = zh_hant_article(rng, date)
                p = html_page(rng, kind, d, "big5", "header" if "header" in kind else "meta", label="big5")
            elif kind == "zh_gbk_undeclared":
                d = zh_article(rng, "legacy", gbk_host, date=date)
                p = html_page(rng, kind, d, "gbk", "none")
            elif kind == "zh_utf8_undeclared":
                d = zh_article(rng, "forum", "bbs.example-zh.cn", date=date)
                p = html_page(rng, kind, d, "utf-8", "none")
            elif kind == "en_article":
                d = en_article(rng, date=date)
                p = html_page(rng, kind, d, label=["utf-8", "UTF-8"][i % 2])
                originals.append((d, p))
            elif kind == "en_windows1252":
                d = en_article(rng, "blog.example.org", "travel", date)
                d.paras = [" ".join(rng.sample(EN_CP1252, 3)) for _ in range(3)] + d.paras[:2]
                d.title = "A Weekend of Cafés and Châteaux"
                if i % 2:
                    p = html_page(rng, kind, d, "cp1252", "header", label="windows-1252")
                else:
                    p = html_page(rng, kind, d, "cp1252", "meta", label="iso-8859-1")
            elif kind in ("code_en", "code_zh"):
                d = code_article(rng, snippets, zh=kind == "code_zh", date=date)
                p = html_page(rng, kind, d)
            elif kind.startswith("spam_"):
                flavour = {"spam_gambling_zh": "gambling_zh", "spam_keywords_en": "keywords_en",
                           "spam_lorem": "lorem", "spam_thin": "thin"}[kind]
                d = spam_doc(rng, flavour, date)
                p = html_page(rng, kind, d)
            elif kind == "near_duplicate":
                base, _ = originals[rng.randrange(len(originals))]
                d = near_duplicate(rng, base)
                p = html_page(rng, kind, d)
            elif kind == "exact_duplicate_new_url":
                base, bp = originals[rng.randrange(len(originals))]
                q = rng.choice(["?utm_source=newsletter&utm_medium=email", "?from=timeline", "?share=1",
                                "?amp=1", "#comments"])
                p = Page(kind, base.url + q if "#" not in q else base.url + "?ref=home" + q,
                         min(bp.date + dt.timedelta(days=rng.randint(1, 30)), END_2024), bp.body,
                         bp.content_type, server=bp.server)
            elif kind == "exact_duplicate_recrawl":
                base, bp = originals[rng.randrange(len(originals))]
                p = Page(kind, bp.url, min(bp.date + dt.timedelta(days=rng.randint(30, 120)), END_2024),
                         bp.body, bp.content_type, server=bp.server)
            elif kind.startswith("http_"):
                code = {"http_404": "404 Not Found", "http_301": "301 Moved Permanently",
                        "http_500": "500 Internal Server Error", "http_403": "403 Forbidden"}[kind]
                host = rng.choice(list(SITES)[:10])
                url = "https://%s/%s/%d.html" % (host, rng.choice(["a", "news", "old", "p"]), rng.randrange(10**6))
                extra = []
                if kind == "http_301":
                    extra = ["Location: https://%s/new/%d.html" % (host, rng.randrange(10**6))]
                body = NGINX_ERROR.format(code=code).encode()
                p = Page(kind, url, date, body, "text/html", status=code, extra_headers=extra)
            elif kind == "image_png":
                host = rng.choice(list(SITES)[:10])
                p = Page(kind, "https://%s/static/img/%d.png" % (host, rng.randrange(10**6)), date,
                         png_bytes(rng), "image/png", extra_headers=["Cache-Control: max-age=86400"])
            elif kind == "application_pdf":
                host = rng.choice(["news.example.com", "wiki.example.net", "news.example-zh.cn"])
                p = Page(kind, "https://%s/files/report-%d.pdf" % (host, rng.randrange(10**4)), date,
                         pdf_bytes("Annual report %d" % rng.randrange(2019, 2024)), "application/pdf")
            elif kind == "application_json":
                host = rng.choice(["news.example.com", "news.example-zh.cn"])
                body = json.dumps({"status": "ok", "items": [{"id": rng.randrange(10**6), "score": rng.randrange(100)}
                                                             for _ in range(5)]}).encode()
                p = Page(kind, "https://%s/api/v1/feed?page=%d" % (host, i + 1), date, body,
                         "application/json; charset=utf-8")
            elif kind == "empty_body":
                host = rng.choice(list(SITES)[:10])
                p = Page(kind, "https://%s/a/%d.html" % (host, rng.randrange(10**6)), date, b"",
                         "text/html; charset=utf-8")
            else:
                raise AssertionError(kind)
            pages.append(p)
    return pages, [d for d, _ in originals]


def request_bytes(url: str) -> bytes:
    host = url.split("/")[2]
    path = "/" + url.split("/", 3)[3] if url.count("/") >= 3 else "/"
    path = path.split("#")[0]
    return ("GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: refinery-sample-crawler/1.0 (+https://example.org/bot)\r\n"
            "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
            "Accept-Language: zh-CN,zh;q=0.9,en;q=0.8\r\nAccept-Encoding: identity\r\n"
            "Connection: close\r\n\r\n" % (path, host)).encode("ascii")


def warc_date(d: dt.datetime) -> str:
    return d.strftime("%Y-%m-%dT%H:%M:%SZ")


def rid(key: str) -> str:
    return "<urn:uuid:%s>" % uuid.uuid5(NAMESPACE, key)


def write_warc(path: pathlib.Path, pages: list[Page]) -> None:
    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=True)
    name = path.name
    info_id = rid(name + "/warcinfo")
    fields = ("software: refinery sample/generate.py (warcio)\r\nformat: WARC File Format 1.0\r\n"
              "conformsTo: https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.0/\r\n"
              "isPartOf: refinery-sample-2024\r\ndescription: synthetic crawl written for tests; "
              "all prose written for this project, code from the Python standard library (PSF)\r\n"
              "robots: checked via refinery-sample-crawler\r\n").encode("utf-8")
    w.write_record(w.create_warc_record(
        "", "warcinfo", payload=io.BytesIO(fields), length=len(fields), warc_content_type="application/warc-fields",
        warc_headers_dict={"WARC-Record-ID": info_id, "WARC-Date": warc_date(pages[0].date),
                           "WARC-Filename": name}))
    for n, p in enumerate(pages):
        key = "%s/%d" % (name, n)
        ip = "203.0.113.%d" % (hash_str(p.url.split("/")[2]) % 254 + 1)
        common = {"WARC-Date": warc_date(p.date), "WARC-IP-Address": ip, "WARC-Warcinfo-ID": info_id}
        resp = http_bytes(p)
        resp_rec = w.create_warc_record(p.url, "response", payload=io.BytesIO(resp), length=len(resp),
                                        warc_headers_dict={"WARC-Record-ID": rid(key + "/response"), **common})
        req = request_bytes(p.url)
        req_rec = w.create_warc_record(p.url, "request", payload=io.BytesIO(req), length=len(req),
                                       warc_headers_dict={"WARC-Record-ID": rid(key + "/request"), **common,
                                                          "WARC-Concurrent-To": rid(key + "/response")})
        w.write_record(req_rec)
        w.write_record(resp_rec)
    path.write_bytes(buf.getvalue())


# --------------------------------------------------------------------------------------
# JSONL
# --------------------------------------------------------------------------------------

JSONL_FILES = [  # (name, records, mix of zh / en / code)
    ("part-00000.jsonl.gz", 750, (0.6, 0.3, 0.1)),
    ("part-00001.jsonl.gz", 750, (0.2, 0.5, 0.3)),
    ("part-00002.jsonl.zst", 400, (0.34, 0.33, 0.33)),
]
BAD_LINES = [
    '{"id": "broken-1", "text": "这一行在写入时被截断',
    "{'id': 'broken-2', 'text': 'python dict, not JSON'}",
    '{"id": "broken-3", "text": "trailing comma",}',
    "<html><body>502 Bad Gateway</body></html>",
    '{"id": "broken-5", "text": "two objects"} {"id": "x"}',
]


def jsonl_records(rng, name, n, mix, snippets, warc_docs, stats):
    lines = []
    stem = name.split(".")[0]
    for i in range(n):
        r = rng.random()
        if r < mix[0]:
            if rng.random() < 0.25:
                d = zh_article(rng, "forum", "bbs.example-zh.cn")
                kind = "zh_forum"
            else:
                d = zh_article(rng, rng.choice(["news", "baike"]),
                               rng.choice(["news.example-zh.cn", "baike.example-zh.cn"]))
                kind = "zh_" + d.kind
            rec = {"text": d.text(), "url": d.url, "source": "zh-web-extracted",
                   "meta": {"lang": "zh", "kind": d.kind, "topic": d.topic, "date": warc_date(d.date)}}
        elif r < mix[0] + mix[1]:
            d = en_article(rng)
            kind = "en_article"
            rec = {"text": d.text(), "url": d.url, "source": "en-web-extracted",
                   "meta": {"lang": "en", "kind": d.kind, "topic": d.topic, "date": warc_date(d.date)}}
        else:
            mod, fname, doc, code = snippets[rng.randrange(len(snippets))]
            kind = "code"
            rec = {"text": code, "url": None, "source": "python-stdlib",
                   "meta": {"lang": "code", "language": "python", "module": mod, "name": fname,
                            "license": "PSF-2.0"}}
        stats["jsonl/" + kind] += 1
        lines.append(rec)
    # Cross-source exact duplicates: text already present (extracted) in the WARC sample.
    for _ in range(8):
        d = warc_docs[rng.randrange(len(warc_docs))]
        lines.insert(rng.randrange(len(lines)), {"text": d.text(), "url": d.url, "source": "mirror",
                                                 "meta": {"lang": d.lang, "kind": d.kind, "dup_of_warc": True}})
        stats["jsonl/exact_duplicate_of_warc"] += 1
    for k in range(3):
        lines.insert(rng.randrange(len(lines)), {"text": ["", "", "   \n  "][k], "url": None,
                                                 "source": "zh-web-extracted", "meta": {"lang": "zh"}})
        stats["jsonl/empty_text"] += 1
    out = []
    for i, rec in enumerate(lines):
        rec = {"id": "%s-%06d" % (stem, i), **rec}
        out.append(json.dumps(rec, ensure_ascii=False))
    for bad in rng.sample(BAD_LINES, 3):
        out.insert(rng.randrange(1, len(out)), bad)
        stats["jsonl/malformed_json"] += 1
    return ("\n".join(out) + "\n").encode("utf-8"), len(out)


def write_jsonl(path: pathlib.Path, data: bytes) -> None:
    if path.name.endswith(".zst"):
        import zstandard
        path.write_bytes(zstandard.ZstdCompressor(level=19).compress(data))
    else:
        with open(path, "wb") as fh, gzip.GzipFile(filename="", mode="wb", fileobj=fh, mtime=0,
                                                    compresslevel=9) as gz:
            gz.write(data)


# --------------------------------------------------------------------------------------

N_WARC_FILES = 4


def generate(out: pathlib.Path, seed: int = SEED) -> dict:
    rng = random.Random(seed)
    snippets = load_snippets()
    pages, warc_docs = build_pages(rng, snippets)
    stats = Counter("warc/" + p.kind for p in pages)
    rng.shuffle(pages)
    (out / "warc").mkdir(parents=True, exist_ok=True)
    (out / "jsonl").mkdir(parents=True, exist_ok=True)
    files = {}
    per = -(-len(pages) // N_WARC_FILES)
    for k in range(N_WARC_FILES):
        chunk = sorted(pages[k * per:(k + 1) * per], key=lambda p: (p.date, p.url))
        name = "sample-2024-%05d.warc.gz" % k
        write_warc(out / "warc" / name, chunk)
        files["warc/" + name] = {"response_records": len(chunk), "request_records": len(chunk)}
    for name, n, mix in JSONL_FILES:
        data, n_lines = jsonl_records(rng, name, n, mix, snippets, warc_docs, stats)
        write_jsonl(out / "jsonl" / name, data)
        files["jsonl/" + name] = {"lines": n_lines}
    manifest = {
        "seed": seed,
        "generator": "sample/generate.py",
        "python": sysconfig.get_python_version(),  # code snippets come from this stdlib
        "warc_responses": len(pages),
        "jsonl_lines": sum(f.get("lines", 0) for f in files.values()),
        "counts": dict(sorted(stats.items())),
        "files": files,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n",
                                       encoding="utf-8")
    return manifest


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=pathlib.Path, default=pathlib.Path(__file__).parent / "data")
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args(argv)
    m = generate(args.out, args.seed)
    print("WARC responses: %d   JSONL lines: %d" % (m["warc_responses"], m["jsonl_lines"]))
    for k, v in m["counts"].items():
        print("  %-40s %5d" % (k, v))
    for k, v in m["files"].items():
        size = (args.out / k).stat().st_size
        print("  %-40s %9d bytes  %s" % (k, size, v))


if __name__ == "__main__":
    main()
