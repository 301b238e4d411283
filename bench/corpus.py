"""Generate a realistic bilingual Ketao import corpus (projects and needs) for search benchmarks."""

from __future__ import annotations

import argparse
import json
import sys
import time
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from functools import cache
from itertools import accumulate
from pathlib import Path
from random import Random
from typing import IO, Any, Final, Generic, NamedTuple, TypeVar

import opencc

T = TypeVar("T")

# --------------------------------------------------------------------------------------------
# Vocabulary
#
# One bank per top-level industry of 战略性新兴产业分类(2018). Sections:
#   @<code>   technical terms of that second-level code, "zh | en", most common first
#   %scene    application scenarios, "zh | en [| codes]"
#   %metric   performance phrases, "zh | en | low | high | decimals [| codes]" ({v} is the number)
#   %field    company line of business, "zh | en" (for fictional company names)
# Optional codes restrict a scene or metric to those second-level codes.
# --------------------------------------------------------------------------------------------

_BANKS: Final[dict[str, str]] = {
    "1": """
@1.2
碳化硅功率器件 | SiC power device
氮化镓功率器件 | GaN power device
碳化硅MOSFET | SiC MOSFET
先进封装 | advanced packaging
Micro LED显示 | Micro LED display
MEMS传感器 | MEMS sensor
IGBT模块 | IGBT module
射频滤波器 | RF filter
Chiplet异构集成 | chiplet heterogeneous integration
模拟芯片 | analog chip
光刻胶 | photoresist
柔性OLED | flexible OLED
存算一体芯片 | compute-in-memory chip
晶圆级封装 | wafer-level packaging
CMOS图像传感器 | CMOS image sensor
电源管理芯片 | power management IC
激光雷达 | LiDAR
高密度互连印制电路板 | HDI printed circuit board
硅基OLED微显示 | OLED-on-silicon microdisplay
量子点发光二极管 | quantum-dot LED
@1.5
机器视觉 | machine vision
大语言模型 | large language model
计算机视觉 | computer vision
知识图谱 | knowledge graph
多模态大模型 | multimodal foundation model
类脑计算 | brain-inspired computing
具身智能 | embodied intelligence
语音识别 | speech recognition
缺陷检测 | defect detection
自动驾驶感知 | autonomous-driving perception
智能体 | AI agent
医学影像AI | medical imaging AI
强化学习 | reinforcement learning
手语翻译 | sign-language translation
@1.1
光模块 | optical transceiver module
硅光芯片 | silicon photonics chip
5G小基站 | 5G small cell
毫米波相控阵天线 | millimetre-wave phased-array antenna
时间敏感网络 | time-sensitive networking
工业互联网网关 | industrial internet gateway
卫星互联网终端 | satellite internet terminal
Wi-Fi 7射频前端 | Wi-Fi 7 RF front end
量子密钥分发 | quantum key distribution
光纤传感 | optical fibre sensing
可见光通信 | visible light communication
无源光网络 | passive optical network
太赫兹通信 | terahertz communication
@1.4
边缘计算 | edge computing
大数据平台 | big-data platform
联邦学习 | federated learning
云原生数据库 | cloud-native database
液冷数据中心 | liquid-cooled data centre
城市信息模型 | city information model
时空大数据 | spatio-temporal big data
算力调度 | computing-power scheduling
数据要素流通 | data circulation
跨境数据安全流动 | secure cross-border data flow
@1.3
工业软件 | industrial software
隐私计算 | privacy-preserving computation
区块链 | blockchain
EDA工具 | EDA tools
数字孪生平台 | digital twin platform
低代码开发平台 | low-code development platform
开源鸿蒙操作系统 | OpenHarmony operating system
网络安全态势感知 | cybersecurity situational awareness
嵌入式实时操作系统 | embedded real-time operating system
软件定义汽车中间件 | software-defined vehicle middleware
%scene
数据中心 | data centres
智能手机 | smartphones
工业质检 | industrial quality inspection
新能源汽车主驱逆变器 | EV traction inverters | 1.2
消费电子 | consumer electronics
智慧城市 | smart cities
智能制造产线 | smart manufacturing lines
金融风控 | financial risk control | 1.3 1.4 1.5
医疗影像诊断 | medical image diagnosis | 1.5 1.4
5G基站 | 5G base stations | 1.1 1.2
光伏逆变器 | PV inverters | 1.2
智慧港口 | smart ports | 1.1 1.4 1.5
智能座舱 | smart cockpits
跨境贸易 | cross-border trade | 1.3 1.4
%metric
比导通电阻降至{v} mΩ·cm² | a specific on-resistance of {v} mΩ·cm² | 1.5 | 4.5 | 1 | 1.2
耐压达{v} V | a blocking voltage of {v} V | 650 | 3300 | 0 | 1.2
晶圆良率达{v}% | a wafer yield of {v}% | 75 | 98 | 0 | 1.2
像素密度达{v} PPI | a pixel density of {v} PPI | 800 | 5000 | 0 | 1.2
能效比达{v} TOPS/W | an energy efficiency of {v} TOPS/W | 5 | 40 | 0 | 1.2 1.5
识别准确率达{v}% | recognition accuracy of {v}% | 95 | 99.8 | 1 | 1.5 1.3
推理延迟低于{v} ms | inference latency under {v} ms | 5 | 80 | 0 | 1.5 1.4
支持{v}路视频流实时分析 | real-time analysis of {v} video streams | 16 | 256 | 0 | 1.5 1.4
误报率低于{v}% | a false-alarm rate below {v}% | 0.1 | 3 | 1 | 1.5 1.3
单通道速率达{v} Gbps | a per-lane rate of {v} Gbps | 25 | 200 | 0 | 1.1
传输距离达{v} km | a transmission reach of {v} km | 2 | 120 | 0 | 1.1
端到端时延低于{v} μs | end-to-end latency under {v} μs | 5 | 500 | 0 | 1.1
查询性能提升{v}倍 | {v}x faster queries | 3 | 40 | 0 | 1.4 1.3
资源利用率提升{v}% | {v}% higher resource utilisation | 20 | 60 | 0 | 1.4 1.3
功耗降低{v}% | {v}% lower power consumption | 15 | 60 | 0
成本降低{v}% | {v}% lower cost | 15 | 50 | 0
%field
半导体 | Semiconductor
微电子 | Microelectronics
智能科技 | Intelligent Technology
信息技术 | Information Technology
光电 | Optoelectronics
数据科技 | Data Technology
""",
    "2": """
@2.1
协作机器人 | collaborative robot
工业机器人 | industrial robot
RV减速器 | RV reducer
五轴联动数控机床 | five-axis CNC machine tool
谐波减速器 | harmonic reducer
金属3D打印 | metal 3D printing
激光焊接 | laser welding
伺服电机 | servo motor
增材制造 | additive manufacturing
机器视觉检测设备 | machine-vision inspection equipment
人形机器人 | humanoid robot
灵巧手 | dexterous robotic hand
自动导引车 | automated guided vehicle
精密运动平台 | precision motion stage
超精密加工 | ultra-precision machining
注塑成型装备 | injection moulding equipment
激光切割 | laser cutting
力控打磨 | force-controlled grinding
高速电主轴 | high-speed motorised spindle
工业CT | industrial CT
@2.2
无人机 | unmanned aerial vehicle
电动垂直起降飞行器 | eVTOL aircraft
物流无人机 | logistics drone
飞控系统 | flight control system
航空发动机叶片 | aero-engine blade
复合材料机翼 | composite wing
航空电推进 | aviation electric propulsion
机载传感器 | airborne sensor
@2.3
北斗高精度定位 | BeiDou high-precision positioning
卫星遥感 | satellite remote sensing
合成孔径雷达 | synthetic aperture radar
遥感影像智能解译 | intelligent remote-sensing image interpretation
卫星导航接收机 | GNSS receiver
星载相机 | spaceborne camera
小卫星平台 | small satellite platform
@2.5
水下机器人 | underwater robot
无人艇 | unmanned surface vessel
海洋观测浮标 | ocean observation buoy
水下声学通信 | underwater acoustic communication
深海传感器 | deep-sea sensor
船舶智能航行 | intelligent ship navigation
海水淡化装备 | seawater desalination equipment
海上风电安装平台 | offshore wind installation platform
@2.4
列车智能运维 | intelligent train maintenance
轨道巡检机器人 | track inspection robot
轨道交通牵引变流器 | rail traction converter
轮轨检测 | wheel-rail inspection
中低速磁悬浮 | medium-low-speed maglev
%scene
3C装配 | 3C electronics assembly | 2.1
汽车焊装 | automotive body welding | 2.1
家电制造 | home-appliance manufacturing | 2.1
精密模具 | precision moulds | 2.1
航空航天零部件加工 | aerospace parts machining | 2.1 2.2
物流仓储 | logistics and warehousing | 2.1 2.2
城市低空物流 | urban low-altitude logistics | 2.2 2.3
电力巡检 | power-line inspection | 2.2 2.3 2.4
应急救援 | emergency rescue
港口作业 | port operations | 2.1 2.3 2.5
海上风电运维 | offshore wind O&M | 2.5 2.2
近海养殖 | offshore aquaculture | 2.5 2.3
国土测绘 | land surveying and mapping | 2.3 2.2
地铁运维 | metro maintenance | 2.4
%metric
重复定位精度±{v} mm | repeatability of ±{v} mm | 0.005 | 0.05 | 3 | 2.1
额定负载{v} kg | a rated payload of {v} kg | 3 | 50 | 0 | 2.1 2.2
传动误差不大于{v} arcmin | transmission error within {v} arcmin | 0.5 | 1.5 | 1 | 2.1
表面粗糙度Ra {v} μm | surface roughness of Ra {v} μm | 0.01 | 0.4 | 2 | 2.1
成形尺寸达{v} mm | a build envelope of {v} mm | 250 | 1200 | 0 | 2.1
加工效率提升{v}% | {v}% higher machining efficiency | 20 | 80 | 0 | 2.1
续航时间达{v}分钟 | an endurance of {v} minutes | 35 | 180 | 0 | 2.2 2.5
最大航程{v} km | a maximum range of {v} km | 20 | 300 | 0 | 2.2
定位精度达{v} cm | positioning accuracy of {v} cm | 1 | 10 | 0 | 2.3 2.2
地面分辨率优于{v} m | ground resolution better than {v} m | 0.3 | 5 | 1 | 2.3
最大工作水深{v} m | a maximum working depth of {v} m | 300 | 6000 | 0 | 2.5
检测速度达{v} km/h | an inspection speed of {v} km/h | 5 | 80 | 0 | 2.4
平均无故障时间超过{v}小时 | mean time between failures above {v} hours | 2000 | 20000 | 0
运维成本降低{v}% | {v}% lower maintenance cost | 15 | 50 | 0
%field
智能装备 | Intelligent Equipment
机器人 | Robotics
精密机械 | Precision Machinery
航空科技 | Aviation Technology
海洋装备 | Marine Equipment
""",
    "3": """
@3.6
石墨烯 | graphene
热界面材料 | thermal interface material
钙钛矿材料 | perovskite material
相变储能材料 | phase-change energy-storage material
超材料 | metamaterial
碳纳米管导电浆料 | carbon nanotube conductive paste
二维材料 | two-dimensional material
形状记忆合金 | shape memory alloy
纳米纤维素 | nanocellulose
自修复材料 | self-healing material
量子点材料 | quantum-dot material
仿生材料 | bioinspired material
@3.3
生物基可降解塑料 | bio-based biodegradable plastic
电子级湿化学品 | electronic-grade wet chemicals
聚酰亚胺薄膜 | polyimide film
锂电隔膜 | lithium-ion battery separator
特种工程塑料 | specialty engineering plastic
聚乳酸 | polylactic acid
高端聚烯烃 | high-end polyolefin
水性涂料 | waterborne coating
光学膜 | optical film
环氧树脂 | epoxy resin
POE弹性体 | POE elastomer
有机硅密封胶 | silicone sealant
@3.2
免热处理铝合金 | heat-treatment-free aluminium alloy
稀土永磁材料 | rare-earth permanent magnet
高强韧镁合金 | high-strength magnesium alloy
钛合金粉末 | titanium alloy powder
高纯铜靶材 | high-purity copper sputtering target
铝基复合材料 | aluminium matrix composite
高熵合金 | high-entropy alloy
液态金属 | liquid metal
@3.4
气凝胶 | aerogel
氮化硅陶瓷基板 | silicon nitride ceramic substrate
岩板 | sintered stone slab
特种玻璃 | specialty glass
压电陶瓷 | piezoelectric ceramic
地聚物胶凝材料 | geopolymer binder
低碳水泥 | low-carbon cement
透明陶瓷 | transparent ceramic
@3.5
碳纤维复合材料 | carbon-fibre composite
热塑性复合材料 | thermoplastic composite
芳纶纤维 | aramid fibre
玄武岩纤维 | basalt fibre
超高分子量聚乙烯纤维 | UHMWPE fibre
玻璃纤维增强塑料 | glass-fibre reinforced plastic
@3.1
高强汽车钢 | advanced high-strength automotive steel
超级双相不锈钢 | super duplex stainless steel
模具钢 | tool and die steel
耐蚀钢筋 | corrosion-resistant rebar
高氮不锈钢 | high-nitrogen stainless steel
@3.7
失效分析 | failure analysis
材料基因工程 | materials genome engineering
材料高通量计算 | high-throughput materials computation
中子衍射残余应力检测 | neutron-diffraction residual stress testing
材料表征服务 | materials characterisation service
%scene
新能源汽车轻量化 | EV lightweighting
动力电池 | power batteries
电子封装散热 | electronics thermal management
5G通信基板 | 5G communication substrates
建筑节能 | building energy efficiency
半导体制造 | semiconductor manufacturing
光伏组件 | PV modules
航空结构件 | aircraft structural parts
海洋工程防腐 | marine corrosion protection
食品包装 | food packaging | 3.3 3.6
医用植入物 | medical implants | 3.2 3.4 3.6
轨道交通车体 | railway car bodies
%metric
抗拉强度达{v} MPa | a tensile strength of {v} MPa | 400 | 2000 | 0 | 3.1 3.2 3.5
延伸率不低于{v}% | an elongation of at least {v}% | 8 | 45 | 0 | 3.1 3.2
屈服强度达{v} MPa | a yield strength of {v} MPa | 120 | 1500 | 0 | 3.1 3.2
盐雾试验超过{v}小时 | salt-spray resistance beyond {v} hours | 1000 | 5000 | 0 | 3.1 3.2 3.3
比强度提升{v}% | {v}% higher specific strength | 20 | 70 | 0 | 3.2 3.5
导热系数达{v} W/(m·K) | a thermal conductivity of {v} W/(m·K) | 5 | 180 | 0 | 3.4 3.6
密度仅{v} g/cm³ | a density of only {v} g/cm³ | 0.1 | 2.8 | 2 | 3.4 3.5 3.6
耐温可达{v} ℃ | temperature resistance up to {v} °C | 200 | 1200 | 0 | 3.3 3.4 3.5
介电损耗低于{v} | a dielectric loss below {v} | 0.001 | 0.005 | 3 | 3.3 3.4
纯度达{v}% | a purity of {v}% | 99.95 | 99.999 | 3 | 3.2 3.3
生物降解率达{v}% | a biodegradation rate of {v}% | 85 | 98 | 0 | 3.3
电导率达{v} S/m | an electrical conductivity of {v} S/m | 1000 | 90000 | 0 | 3.6
检测周期缩短至{v}天 | a testing cycle of {v} days | 2 | 15 | 0 | 3.7
研发周期缩短{v}% | {v}% shorter development cycles | 30 | 70 | 0 | 3.7 3.6
成本降低{v}% | {v}% lower cost | 15 | 50 | 0
%field
新材料 | New Materials
高分子材料 | Polymer Materials
复合材料 | Composites
特种合金 | Special Alloys
""",
    "4": """
@4.1
单克隆抗体 | monoclonal antibody
抗体偶联药物 | antibody-drug conjugate
CAR-T细胞治疗 | CAR-T cell therapy
双特异性抗体 | bispecific antibody
小分子靶向药 | small-molecule targeted drug
中药配方颗粒 | TCM dispensing granules
mRNA疫苗 | mRNA vaccine
类器官 | organoid
经典名方 | classical TCM formula
多肽药物 | peptide drug
基因编辑 | gene editing
干细胞治疗 | stem-cell therapy
核酸药物 | nucleic-acid drug
纳米递药系统 | nanoparticle drug delivery system
溶瘤病毒 | oncolytic virus
中药质量控制 | TCM quality control
@4.2
体外诊断试剂 | in vitro diagnostic reagent
手术机器人 | surgical robot
微流控芯片 | microfluidic chip
医学影像设备 | medical imaging equipment
即时检测 | point-of-care testing
可穿戴心电监测 | wearable ECG monitoring
脑机接口 | brain-computer interface
体外膜肺氧合 | extracorporeal membrane oxygenation
介入导管 | interventional catheter
3D打印骨科植入物 | 3D-printed orthopaedic implant
数字病理 | digital pathology
康复外骨骼 | rehabilitation exoskeleton
人工心脏 | ventricular assist device
可降解支架 | bioresorbable stent
光声成像 | photoacoustic imaging
@4.3
分子育种 | molecular breeding
生物农药 | biopesticide
微生物肥料 | microbial fertiliser
水产疫苗 | aquaculture vaccine
植物工厂 | plant factory
饲料用酶制剂 | feed enzyme
动物疫病快速检测 | rapid animal-disease detection
耐盐碱水稻 | salt-tolerant rice
新会陈皮加工 | Xinhui tangerine-peel processing
高原青稞 | highland barley
@4.5
合成生物学 | synthetic biology
生物制造 | biomanufacturing
细胞工厂 | microbial cell factory
酶催化 | enzymatic catalysis
高通量测序 | high-throughput sequencing
人造蛋白 | alternative protein
@4.4
厌氧发酵沼气 | anaerobic digestion biogas
生物柴油 | biodiesel
生物航煤 | sustainable aviation fuel
纤维素乙醇 | cellulosic ethanol
%scene
肿瘤治疗 | cancer therapy | 4.1 4.2
心血管疾病 | cardiovascular disease | 4.1 4.2
重症监护 | intensive care | 4.2
基层医疗 | primary care | 4.1 4.2
精准医疗 | precision medicine | 4.1 4.2 4.5
康复医疗 | rehabilitation | 4.2
慢病管理 | chronic disease management | 4.1 4.2
传染病防控 | infectious disease control | 4.1 4.2 4.3
老年护理 | elderly care | 4.2
水产养殖 | aquaculture | 4.3
生猪养殖 | pig farming | 4.3 4.4
食品安全检测 | food safety testing | 4.2 4.3 4.5
功能食品 | functional foods | 4.3 4.5
绿色化工 | green chemicals | 4.4 4.5
交通燃料 | transport fuels | 4.4
%metric
检测灵敏度达{v} pg/mL | a detection sensitivity of {v} pg/mL | 0.1 | 10 | 1 | 4.2
检测时间缩短至{v}分钟 | a turnaround time of {v} minutes | 8 | 45 | 0 | 4.2 4.3
临床符合率达{v}% | a clinical concordance of {v}% | 92 | 99.5 | 1 | 4.2
定位精度达{v} mm | a positioning accuracy of {v} mm | 0.1 | 1 | 1 | 4.2
客观缓解率达{v}% | an objective response rate of {v}% | 30 | 85 | 0 | 4.1
动物实验生存率提高{v}% | {v}% better survival in animal studies | 20 | 60 | 0 | 4.1
纯度达{v}% | a purity of {v}% | 98 | 99.9 | 1 | 4.1 4.5
抑菌率超过{v}% | an antibacterial efficacy above {v}% | 95 | 99.9 | 1 | 4.1 4.3
亩产提高{v}% | {v}% higher yield per mu | 8 | 30 | 0 | 4.3
饲料转化率提升{v}% | {v}% better feed conversion | 5 | 20 | 0 | 4.3
发酵效价达{v} g/L | a fermentation titre of {v} g/L | 5 | 120 | 0 | 4.5 4.4
产率提高{v}倍 | {v}-fold higher yield | 2 | 20 | 0 | 4.5 4.4
甲烷含量达{v}% | a methane content of {v}% | 55 | 75 | 0 | 4.4
生产成本降低{v}% | {v}% lower production cost | 15 | 60 | 0
%field
生物科技 | Biotechnology
医疗器械 | Medical Devices
生物医药 | Biopharma
农业科技 | Agritech
""",
    "5": """
@5.2
固态电池 | solid-state battery
电池管理系统 | battery management system
钠离子电池 | sodium-ion battery
硅碳负极 | silicon-carbon anode
驱动电机 | traction motor
电驱动总成 | electric drive unit
磷酸锰铁锂正极 | lithium manganese iron phosphate cathode
燃料电池电堆 | fuel-cell stack
热管理系统 | thermal management system
车规级芯片 | automotive-grade chip
扁线电机 | hairpin motor
高镍三元正极 | high-nickel NCM cathode
毫米波雷达 | millimetre-wave radar
域控制器 | domain controller
电解液添加剂 | electrolyte additive
质子交换膜 | proton exchange membrane
车载充电机 | on-board charger
膜电极 | membrane electrode assembly
碳化硅电驱 | SiC electric drive
轮毂电机 | in-wheel motor
氢气循环泵 | hydrogen recirculation pump
燃料电池空压机 | fuel-cell air compressor
@5.1
智能驾驶 | intelligent driving
一体化压铸车身 | giga-cast vehicle body
线控底盘 | drive-by-wire chassis
纯电动平台 | battery-electric vehicle platform
氢燃料电池重卡 | hydrogen fuel-cell heavy truck
智能网联汽车 | connected and automated vehicle
电动客车 | electric bus
纯电动物流车 | electric logistics van
@5.3
超级快充桩 | ultra-fast charger
换电站 | battery-swap station
车网互动 | vehicle-to-grid
无线充电 | wireless charging
加氢站 | hydrogen refuelling station
@5.4
动力电池回收 | EV battery recycling
电池健康状态评估 | battery state-of-health assessment
梯次利用 | second-life battery use
车联网数据服务 | telematics data service
%scene
乘用车 | passenger cars
城市公交 | city buses
重型货运 | heavy freight
港口集卡 | port container trucks
网约车 | ride-hailing fleets
两轮电动车 | electric two-wheelers
城市配送 | urban delivery
冷链物流 | cold-chain logistics
矿区运输 | mine haulage
工商业储能 | commercial and industrial energy storage | 5.2 5.4
%metric
能量密度达{v} Wh/kg | an energy density of {v} Wh/kg | 160 | 420 | 0 | 5.2 5.1
循环寿命超过{v}次 | a cycle life above {v} cycles | 1500 | 8000 | 0 | 5.2 5.4
充电{v}分钟即可从10%充至80% | charging from 10% to 80% in {v} minutes | 8 | 25 | 0 | 5.2 5.3
峰值效率达{v}% | a peak efficiency of {v}% | 95 | 98.5 | 1 | 5.2 5.3
功率密度达{v} kW/L | a power density of {v} kW/L | 3 | 8 | 1 | 5.2
{v}℃低温下容量保持率超过85% | over 85% capacity retention at {v} °C | -40 | -20 | 0 | 5.2
电堆功率达{v} kW | a stack power of {v} kW | 80 | 300 | 0 | 5.2 5.1
续驶里程达{v} km | a driving range of {v} km | 400 | 1000 | 0 | 5.1
续航里程提升{v}% | {v}% longer driving range | 8 | 25 | 0 | 5.1 5.2
整车减重{v}% | {v}% lower vehicle weight | 5 | 20 | 0 | 5.1
单次换电时间{v}秒 | a battery swap in {v} seconds | 60 | 300 | 0 | 5.3
充电功率达{v} kW | a charging power of {v} kW | 120 | 960 | 0 | 5.3
金属回收率超过{v}% | a metal recovery rate above {v}% | 90 | 99 | 0 | 5.4
评估误差小于{v}% | an estimation error below {v}% | 1 | 5 | 1 | 5.4 5.2
成本降低{v}% | {v}% lower cost | 10 | 40 | 0
%field
新能源汽车 | New Energy Vehicle
动力电池 | Power Battery
汽车电子 | Automotive Electronics
电驱动 | Electric Drive
""",
    "6": """
@6.5
储能电站 | energy storage station
虚拟电厂 | virtual power plant
储能变流器 | power conversion system
微电网 | microgrid
热失控预警 | thermal-runaway early warning
柔性直流输电 | flexible HVDC transmission
配电网故障定位 | distribution-network fault location
源网荷储一体化 | integrated source-grid-load-storage
电力巡检无人机 | power-line inspection drone
智能电表 | smart meter
储能电池簇 | battery storage cluster
电力电子变压器 | power electronic transformer
@6.3
钙钛矿太阳能电池 | perovskite solar cell
异质结光伏电池 | heterojunction solar cell
TOPCon电池 | TOPCon solar cell
光伏建筑一体化 | building-integrated photovoltaics
叠层电池 | tandem solar cell
柔性光伏组件 | flexible PV module
光伏清洗机器人 | PV cleaning robot
光伏跟踪支架 | solar tracker
银浆 | silver paste
光热发电 | concentrated solar power
@6.4
绿氢电解槽 | green-hydrogen electrolyser
液流电池 | flow battery
碱性电解水制氢 | alkaline water electrolysis
PEM电解水 | PEM water electrolysis
固体氧化物燃料电池 | solid oxide fuel cell
储氢合金 | hydrogen storage alloy
海洋能发电 | ocean energy generation
地热能 | geothermal energy
@6.2
海上风电 | offshore wind power
漂浮式风机 | floating wind turbine
风机叶片 | wind-turbine blade
风功率预测 | wind power forecasting
风机状态监测 | wind-turbine condition monitoring
风电齿轮箱 | wind-turbine gearbox
@6.1
小型模块化反应堆 | small modular reactor
核电站无损检测 | nuclear plant non-destructive testing
核级阀门 | nuclear-grade valve
核聚变材料 | fusion materials
乏燃料处理 | spent-fuel treatment
%scene
工商业储能 | commercial and industrial energy storage
分布式光伏 | distributed PV
电网调峰 | grid peak shaving
工业园区 | industrial parks
零碳建筑 | zero-carbon buildings
海岛微电网 | island microgrids
数据中心备电 | data-centre backup power
氢能交通 | hydrogen transport | 6.4
海上风电场 | offshore wind farms | 6.2 6.5
农光互补 | agrivoltaics | 6.3
核电站运维 | nuclear plant maintenance | 6.1
%metric
光电转换效率达{v}% | a power conversion efficiency of {v}% | 22 | 33 | 1 | 6.3
发电量提升{v}% | {v}% more energy yield | 3 | 15 | 1 | 6.3 6.2
单机容量{v} MW | a unit capacity of {v} MW | 8 | 20 | 0 | 6.2
预测准确率达{v}% | a forecast accuracy of {v}% | 88 | 97 | 1 | 6.2 6.5
电解能耗低至{v} kWh/Nm³ | electrolysis energy use as low as {v} kWh/Nm³ | 3.9 | 4.6 | 1 | 6.4
系统效率达{v}% | a system efficiency of {v}% | 85 | 95 | 1 | 6.4 6.5
响应时间小于{v} ms | a response time under {v} ms | 10 | 200 | 0 | 6.5
故障定位准确率{v}% | a fault-location accuracy of {v}% | 95 | 99.5 | 1 | 6.5
预警提前量达{v}分钟 | warnings up to {v} minutes in advance | 5 | 60 | 0 | 6.5
检测效率提升{v}倍 | {v}x faster inspection | 2 | 10 | 0 | 6.1 6.2
设计寿命{v}年 | a design life of {v} years | 25 | 60 | 0 | 6.1 6.2
度电成本降低{v}% | {v}% lower levelised cost of energy | 10 | 35 | 0
%field
新能源 | New Energy
储能科技 | Energy Storage
光伏科技 | Photovoltaic
氢能 | Hydrogen Energy
电力科技 | Power Technology
""",
    "7": """
@7.2
膜生物反应器 | membrane bioreactor
挥发性有机物治理 | VOC abatement
厌氧氨氧化 | anammox
高级氧化 | advanced oxidation
土壤修复 | soil remediation
重金属废水处理 | heavy-metal wastewater treatment
水质在线监测 | online water-quality monitoring
烟气脱硝 | flue-gas denitrification
碳捕集 | carbon capture
黑臭水体治理 | black-odorous water remediation
垃圾渗滤液处理 | landfill leachate treatment
除臭 | odour control
微塑料检测 | microplastic detection
海洋垃圾监测 | marine litter monitoring
噪声治理 | noise control
@7.1
余热回收 | waste-heat recovery
高温热泵 | high-temperature heat pump
磁悬浮离心压缩机 | magnetic-bearing centrifugal compressor
永磁同步电机 | permanent-magnet synchronous motor
数据中心液冷 | data-centre liquid cooling
中央空调群控 | central air-conditioning group control
低氮燃烧 | low-NOx combustion
高效换热器 | high-efficiency heat exchanger
节能窑炉 | energy-saving kiln
蓄冷技术 | cold thermal storage
变频调速 | variable-frequency drive
工业窑炉富氧燃烧 | oxygen-enriched kiln combustion
空压站节能 | compressed-air energy saving
LED智能照明 | smart LED lighting
@7.3
废旧锂电池回收 | spent lithium battery recycling
建筑固废再生骨料 | recycled aggregate from construction waste
废塑料化学回收 | chemical recycling of waste plastics
餐厨垃圾资源化 | food-waste valorisation
蚀刻废液再生 | etchant regeneration
光伏组件回收 | PV module recycling
污泥资源化 | sludge valorisation
电子废弃物贵金属回收 | precious-metal recovery from e-waste
废旧纺织品回收 | textile recycling
铝灰无害化 | aluminium dross detoxification
废旧轮胎热解 | waste-tyre pyrolysis
赤泥综合利用 | red-mud utilisation
%scene
市政污水厂 | municipal wastewater plants
工业园区 | industrial parks
印染园区 | textile dyeing parks
电镀园区 | electroplating parks
陶瓷企业 | ceramics plants
石化园区 | petrochemical parks
商业综合体 | commercial complexes | 7.1
养殖场 | livestock farms | 7.2 7.3
河涌治理 | urban river remediation | 7.2
垃圾焚烧厂 | waste incineration plants | 7.2 7.3
印制电路板企业 | PCB manufacturers
城市更新 | urban renewal | 7.3 7.1
%metric
能耗降低{v}% | {v}% lower energy use | 12 | 45 | 0 | 7.1
COP达{v} | a COP of {v} | 3 | 7 | 1 | 7.1
投资回收期{v}年 | a payback period of {v} years | 1.5 | 5 | 1 | 7.1
排放浓度低于{v} mg/m³ | emissions below {v} mg/m³ | 10 | 50 | 0 | 7.2 7.1
去除率达{v}% | a removal rate of {v}% | 90 | 99.5 | 1 | 7.2
出水氨氮低于{v} mg/L | effluent ammonia below {v} mg/L | 1 | 8 | 1 | 7.2
检出限低至{v} μg/L | a detection limit of {v} μg/L | 0.1 | 5 | 1 | 7.2
回收率达{v}% | a recovery rate of {v}% | 85 | 99 | 0 | 7.3
再生产品纯度达{v}% | recovered-product purity of {v}% | 95 | 99.9 | 1 | 7.3
处理规模{v}吨/日 | a capacity of {v} t/d | 50 | 2000 | 0 | 7.2 7.3
运行成本降低{v}% | {v}% lower operating cost | 15 | 50 | 0
碳排放减少{v}% | {v}% lower carbon emissions | 20 | 70 | 0
%field
环保科技 | Environmental Technology
节能科技 | Energy-Saving Technology
环境工程 | Environmental Engineering
资源再生 | Resource Recycling
""",
    "8": """
@8.4
增强现实 | augmented reality
AIGC内容生成 | AIGC content generation
三维重建 | 3D reconstruction
元宇宙 | metaverse
虚拟制片 | virtual production
数字人直播 | digital-human livestreaming
空间计算 | spatial computing
神经辐射场 | neural radiance field
点云处理 | point-cloud processing
智慧旅游 | smart tourism
体感交互 | motion-sensing interaction
数字孪生展馆 | digital-twin exhibition hall
@8.2
虚拟数字人 | virtual digital human
数字文博 | digital museum
云游戏 | cloud gaming
沉浸式演艺 | immersive performance
动漫游戏 | animation and games
网络视听 | online audiovisual
岭南文化数字资源 | Lingnan cultural digital archive
粤剧数字化 | Cantonese opera digitisation
数字音乐 | digital music
数字藏品 | digital collectible
@8.1
虚拟现实头显 | VR headset
激光投影 | laser projection
裸眼3D显示 | glasses-free 3D display
动作捕捉系统 | motion capture system
光场显示 | light-field display
8K超高清摄像机 | 8K ultra-HD camera
全息投影 | holographic projection
VR光学模组 | VR optical module
LED虚拟拍摄屏 | LED volume
微型投影 | pico projection
@8.3
工业设计 | industrial design
三维服装设计 | 3D garment design
虚拟样衣 | virtual garment sampling
生成式设计 | generative design
家居定制设计 | custom furniture design
品牌视觉设计 | brand visual design
建筑数字设计 | digital architectural design
服务设计 | service design
%scene
博物馆 | museums
文旅景区 | tourist sites
影视制作 | film and TV production
电商直播 | livestream e-commerce
在线教育 | online education
主题乐园 | theme parks
电子竞技 | esports
会展 | exhibitions
时尚服装 | fashion apparel | 8.3 8.4
家居零售 | home-furnishing retail | 8.3 8.4
%metric
渲染帧率达{v} fps | a rendering rate of {v} fps | 60 | 240 | 0 | 8.1 8.2 8.4
端到端延迟低于{v} ms | end-to-end latency under {v} ms | 10 | 60 | 0 | 8.1 8.2 8.4
视场角达{v}° | a field of view of {v}° | 90 | 130 | 0 | 8.1
动作捕捉精度{v} mm | a motion-capture accuracy of {v} mm | 0.1 | 1 | 1 | 8.1 8.4
建模效率提升{v}倍 | {v}x faster modelling | 3 | 20 | 0 | 8.4 8.3
打样周期缩短{v}% | {v}% shorter sampling cycles | 40 | 80 | 0 | 8.3
设计效率提升{v}% | {v}% higher design productivity | 30 | 200 | 0 | 8.3
用户留存率提升{v}% | {v}% better user retention | 10 | 40 | 0 | 8.2 8.4
内容生产成本降低{v}% | {v}% lower content production cost | 30 | 80 | 0
%field
数字科技 | Digital Technology
文化科技 | Culture Technology
互动娱乐 | Interactive Entertainment
设计 | Design
""",
    "9": """
@9.1
技术转移服务 | technology transfer service
检验检测认证 | testing, inspection and certification
知识产权运营 | IP operations
概念验证中心 | proof-of-concept centre
中试熟化平台 | pilot-scale maturation platform
科技成果评价 | technology assessment
科技金融 | technology finance
孵化器 | incubator
专利导航 | patent navigation
计量校准 | metrology and calibration
技术经纪 | technology brokerage
研发外包 | contract R&D
大型科研仪器共享 | shared large research instruments
知识产权质押融资 | IP-backed financing
众创空间 | makerspace
科技咨询 | technology consulting
创业投资 | venture capital
科技情报分析 | S&T intelligence analysis
成果路演 | technology roadshow
技术合同登记 | technology contract registration
@9.2
碳核算 | carbon accounting
供应链金融 | supply-chain finance
电子提单 | electronic bill of lading
跨境电商服务 | cross-border e-commerce service
碳交易 | carbon trading
跨境支付 | cross-border payment
巨灾模型 | catastrophe modelling
数字贸易 | digital trade
质量追溯 | quality traceability
航运金融 | shipping finance
标准化服务 | standardisation service
绿色认证 | green certification
跨境科研仪器共享 | cross-border research instrument sharing
跨境法律服务 | cross-border legal service
法律科技 | legal tech
人才评价 | talent assessment
商业数据分析 | business analytics
智慧物流服务 | smart logistics service
%scene
中小企业 | SMEs
科技园区 | science parks
高校院所 | universities and institutes
专精特新企业 | specialised SMEs
产业集群 | industrial clusters
港澳科研团队 | Hong Kong and Macao research teams
跨境贸易 | cross-border trade | 9.2
航运物流 | shipping and logistics | 9.2
绿色金融 | green finance | 9.2
保险业 | insurance | 9.2
%metric
服务周期缩短{v}% | {v}% shorter service cycles | 30 | 70 | 0
累计服务企业超过{v}家 | more than {v} enterprises served | 100 | 3000 | 0
转化成功率提升{v}% | {v}% higher conversion success | 10 | 40 | 0 | 9.1
检测周期缩短至{v}天 | a testing cycle of {v} days | 2 | 15 | 0 | 9.1
仪器利用率提升{v}% | {v}% higher instrument utilisation | 20 | 60 | 0 | 9.1
融资成本降低{v}% | {v}% lower financing cost | 10 | 35 | 0
单证处理时间缩短至{v}小时 | document processing cut to {v} hours | 1 | 24 | 0 | 9.2
核算误差小于{v}% | an accounting error under {v}% | 1 | 5 | 1 | 9.2
%field
科技服务 | Technology Services
检测认证 | Testing and Certification
知识产权服务 | IP Services
供应链管理 | Supply Chain Management
""",
}

# Top-level names (short forms of taxonomy.json) and how often each industry appears.
_INDUSTRY_NAMES: Final[dict[str, tuple[str, str]]] = {
    "1": ("新一代信息技术", "new-generation information technology"),
    "2": ("高端装备制造", "high-end equipment manufacturing"),
    "3": ("新材料", "new materials"),
    "4": ("生物医药与健康", "biomedicine and health"),
    "5": ("新能源汽车", "new-energy vehicles"),
    "6": ("新能源", "new energy"),
    "7": ("节能环保", "energy conservation and environmental protection"),
    "8": ("数字创意", "the digital creative industry"),
    "9": ("科技服务", "technology services"),
}
_INDUSTRY_WEIGHTS: Final[dict[str, float]] = {
    "1": 20,
    "2": 14,
    "3": 12,
    "4": 16,
    "5": 9,
    "6": 10,
    "7": 9,
    "8": 4,
    "9": 6,
}
# Industries a listing plausibly spans besides its own.
_RELATED: Final[dict[str, str]] = {
    "1": "25486",
    "2": "1356",
    "3": "56217",
    "4": "1273",
    "5": "3612",
    "6": "5372",
    "7": "3642",
    "8": "19",
    "9": "174",
}

# Cross-industry enabling techniques, for "based on X" phrasing; most common first.
_ENABLERS: Final = """
深度学习 | deep learning
机器视觉 | machine vision
数字孪生 | digital twin
物联网 | the Internet of Things
多传感器融合 | multi-sensor fusion
大模型 | foundation models
边缘计算 | edge computing
激光加工 | laser processing
有限元仿真 | finite-element simulation
表面改性 | surface modification
微纳加工 | micro/nano fabrication
高通量筛选 | high-throughput screening
模型预测控制 | model predictive control
原位聚合 | in-situ polymerisation
光谱分析 | spectroscopic analysis
磁控溅射 | magnetron sputtering
自适应控制 | adaptive control
静电纺丝 | electrospinning
区块链 | blockchain
定向进化 | directed evolution
"""

_MODIFIERS: Final = """
高效 | high-efficiency
低成本 | low-cost
高性能 | high-performance
高可靠 | high-reliability
智能 | intelligent
长寿命 | long-life
高精度 | high-precision
轻量化 | lightweight
一体化 | integrated
低功耗 | low-power
模块化 | modular
柔性 | flexible
绿色 | green
低碳 | low-carbon
高安全 | high-safety
便携式 | portable
大尺寸 | large-format
高通量 | high-throughput
微型 | miniature
国产化 | domestically made
"""

# Problems a listing solves: noun phrase (projects) and predicate (needs).
_PAINS: Final = """
成本高 | high cost | 成本过高 | costs too much
依赖进口 | reliance on imports | 长期依赖进口 | still depends on imports
效率偏低 | low efficiency | 效率偏低 | is too inefficient
可靠性不足 | limited reliability | 可靠性不足 | is not reliable enough
能耗高 | high energy consumption | 能耗过高 | uses too much energy
一致性差 | poor batch consistency | 批次一致性差 | lacks batch consistency
寿命短 | short service life | 使用寿命短 | wears out too quickly
精度不足 | insufficient precision | 精度不够 | is not precise enough
工艺复杂 | complex processing | 工艺复杂、良率低 | is complex to make with low yield
安全隐患 | safety risks | 存在安全隐患 | poses safety risks
难以规模化 | difficulty scaling up | 难以规模化 | does not scale
"""

_PARTNERS: Final = """
具备量产能力的制造企业 | manufacturers with volume-production capacity
产业资本 | industrial investors
行业龙头企业 | industry leaders
上下游企业 | companies along the supply chain
大湾区相关企业 | companies in the Greater Bay Area
园区及地方政府 | industrial parks and local governments
"""

_MODES: Final[dict[str, tuple[str, str]]] = {
    "assignment": ("技术转让", "outright assignment"),
    "license": ("专利许可", "licensing"),
    "equity": ("作价入股", "equity investment"),
    "co_development": ("合作开发", "joint development"),
}
_MODE_ORDER: Final = ("assignment", "license", "equity", "co_development")

# City and zone codes: Chinese and English names, company-name prefixes, relative frequency.
_CITIES: Final[dict[str, tuple[str, str, tuple[str, ...], float]]] = {
    "guangzhou": ("广州", "Guangzhou", ("广州市", "广州市黄埔区", "广州市番禺区"), 14),
    "shenzhen": ("深圳", "Shenzhen", ("深圳市", "深圳市南山区", "深圳市宝安区"), 16),
    "zhuhai": ("珠海", "Zhuhai", ("珠海市",), 6),
    "foshan": ("佛山", "Foshan", ("佛山市", "佛山市顺德区", "佛山市南海区"), 9),
    "huizhou": ("惠州", "Huizhou", ("惠州市", "惠州市仲恺"), 5),
    "dongguan": ("东莞", "Dongguan", ("东莞市", "东莞市松山湖"), 9),
    "zhongshan": ("中山", "Zhongshan", ("中山市",), 4),
    "jiangmen": ("江门", "Jiangmen", ("江门市", "江门市新会区"), 3),
    "zhaoqing": ("肇庆", "Zhaoqing", ("肇庆市", "肇庆市高要区"), 3),
    "hongkong": ("香港", "Hong Kong", ("香港",), 8),
    "macao": ("澳门", "Macao", ("澳门",), 3),
    "hengqin": ("横琴", "Hengqin", ("珠海市横琴",), 4),
    "qianhai": ("前海", "Qianhai", ("深圳市前海",), 4),
    "nansha": ("南沙", "Nansha", ("广州市南沙区",), 6),
    "hetao": ("河套", "Hetao", ("深圳市福田区",), 3),
}
_HKMO: Final = ("hongkong", "macao")

# Real GBA universities and institutes: zh | en | city | industries they are known for (blank:
# all); most prolific first.
_INSTITUTIONS: Final = """
中山大学 | Sun Yat-sen University | guangzhou |
华南理工大学 | South China University of Technology | guangzhou |
香港科技大学 | The Hong Kong University of Science and Technology | hongkong |
深圳大学 | Shenzhen University | shenzhen |
南方科技大学 | Southern University of Science and Technology | shenzhen |
香港大学 | The University of Hong Kong | hongkong |
中国科学院深圳先进技术研究院 | Shenzhen Institutes of Advanced Technology, CAS | shenzhen |
香港中文大学 | The Chinese University of Hong Kong | hongkong |
暨南大学 | Jinan University | guangzhou | 4 1 3 8 9
广东工业大学 | Guangdong University of Technology | guangzhou | 1 2 3 5 7
香港理工大学 | The Hong Kong Polytechnic University | hongkong |
清华大学深圳国际研究生院 | Tsinghua Shenzhen International Graduate School | shenzhen |
哈尔滨工业大学（深圳） | Harbin Institute of Technology, Shenzhen | shenzhen |
香港城市大学 | City University of Hong Kong | hongkong |
澳门大学 | University of Macau | macao |
香港科技大学（广州） | The Hong Kong University of Science and Technology (Guangzhou) | nansha |
北京大学深圳研究生院 | Peking University Shenzhen Graduate School | shenzhen |
香港中文大学（深圳） | The Chinese University of Hong Kong, Shenzhen | shenzhen |
广东省科学院 | Guangdong Academy of Sciences | guangzhou |
华南师范大学 | South China Normal University | guangzhou | 1 3 6 8 9
华南农业大学 | South China Agricultural University | guangzhou | 4 7
南方医科大学 | Southern Medical University | guangzhou | 4
中国科学院广州能源研究所 | Guangzhou Institute of Energy Conversion, CAS | guangzhou | 6 7 5
澳门科技大学 | Macau University of Science and Technology | macao | 4 1 2 6
广州医科大学 | Guangzhou Medical University | guangzhou | 4
松山湖材料实验室 | Songshan Lake Materials Laboratory | dongguan | 3 1 6
季华实验室 | Ji Hua Laboratory | foshan | 2 1 3
鹏城实验室 | Peng Cheng Laboratory | shenzhen | 1
中国科学院广州生物医药与健康研究院
    | Guangzhou Institutes of Biomedicine and Health, CAS | guangzhou | 4
广州中医药大学 | Guangzhou University of Chinese Medicine | guangzhou | 4
东莞理工学院 | Dongguan University of Technology | dongguan | 2 1 3 7
广州大学 | Guangzhou University | guangzhou |
深圳技术大学 | Shenzhen Technology University | shenzhen | 2 1 5 3
香港浸会大学 | Hong Kong Baptist University | hongkong | 4 8 1 3
深圳湾实验室 | Shenzhen Bay Laboratory | shenzhen | 4
佛山科学技术学院 | Foshan University | foshan | 2 3 4 8
五邑大学 | Wuyi University | jiangmen | 2 1 6 5
中国科学院南海海洋研究所 | South China Sea Institute of Oceanology, CAS | guangzhou | 2 4 7
广东省科学院新材料研究所 | Institute of New Materials, Guangdong Academy of Sciences | guangzhou | 3
香港应用科技研究院 | Hong Kong Applied Science and Technology Research Institute | hongkong | 1 8 9
中国科学院深圳理工大学 | Shenzhen University of Advanced Technology | shenzhen |
深圳清华大学研究院 | Research Institute of Tsinghua University in Shenzhen | shenzhen |
广州实验室 | Guangzhou Laboratory | guangzhou | 4
北京师范大学-香港浸会大学联合国际学院 | BNU-HKBU United International College | zhuhai | 1 8 9 4
惠州学院 | Huizhou University | huizhou | 3 1 6
肇庆学院 | Zhaoqing University | zhaoqing | 3 7 2
电子科技大学中山学院 | UESTC Zhongshan Institute | zhongshan | 1 2 8
南方海洋科学与工程广东省实验室（珠海）
    | Southern Marine Science and Engineering Guangdong Laboratory (Zhuhai) | zhuhai | 2 7 6
人工智能与数字经济广东省实验室（广州）
    | Guangdong AI and Digital Economy Laboratory (Guangzhou) | guangzhou | 1 8 9
广东省智能科学与技术研究院
    | Guangdong Institute of Intelligence Science and Technology | hengqin | 1 2
珠海复旦创新研究院 | Zhuhai Fudan Innovation Institute | zhuhai | 1 4 3
北京理工大学（珠海） | Beijing Institute of Technology, Zhuhai | zhuhai | 1 2 5
广东药科大学 | Guangdong Pharmaceutical University | guangzhou | 4
广东省农业科学院 | Guangdong Academy of Agricultural Sciences | guangzhou | 4
广东省科学院微生物研究所
    | Institute of Microbiology, Guangdong Academy of Sciences | guangzhou | 4 7
澳门大学中华医药研究院 | Institute of Chinese Medical Sciences, University of Macau | macao | 4
中国散裂中子源 | China Spallation Neutron Source | dongguan | 3 9
香港生产力促进局 | Hong Kong Productivity Council | hongkong | 2 7 9
前海深港青年梦工场
    | Qianhai Shenzhen-Hong Kong Youth Innovation and Entrepreneur Hub | qianhai | 9 1 8
"""

# Government bodies that post needs: zh | en | city | place (zh) | place (en)
_GOVERNMENT: Final = """
广州市南沙区科技局 | Nansha District Science and Technology Bureau | nansha | 南沙 | Nansha
横琴粤澳深度合作区经济发展局
    | Economic Development Bureau of the Hengqin Cooperation Zone | hengqin | 横琴 | Hengqin
深圳市前海深港现代服务业合作区管理局
    | Authority of the Qianhai Cooperation Zone | qianhai | 前海 | Qianhai
河套深港科技创新合作区深圳园区发展署
    | Shenzhen Park Development Office, Hetao Cooperation Zone | hetao | 河套 | Hetao
广州市科学技术局 | Guangzhou Science and Technology Bureau | guangzhou | 广州 | Guangzhou
深圳市科技创新局 | Shenzhen Science, Technology and Innovation Bureau | shenzhen | 深圳 | Shenzhen
东莞松山湖高新技术产业开发区管理委员会
    | Songshan Lake High-tech Zone Committee | dongguan | 松山湖 | Songshan Lake
佛山市科学技术局 | Foshan Science and Technology Bureau | foshan | 佛山 | Foshan
珠海市科技创新局 | Zhuhai Science and Technology Innovation Bureau | zhuhai | 珠海 | Zhuhai
惠州大亚湾经济技术开发区管理委员会
    | Daya Bay Development Zone Committee | huizhou | 大亚湾 | Daya Bay
中山翠亨新区管理委员会 | Cuiheng New Area Committee | zhongshan | 翠亨新区 | Cuiheng New Area
江门市科学技术局 | Jiangmen Science and Technology Bureau | jiangmen | 江门 | Jiangmen
肇庆市科学技术局 | Zhaoqing Science and Technology Bureau | zhaoqing | 肇庆 | Zhaoqing
东莞市科学技术局 | Dongguan Science and Technology Bureau | dongguan | 东莞 | Dongguan
惠州市科学技术局 | Huizhou Science and Technology Bureau | huizhou | 惠州 | Huizhou
中山市科学技术局 | Zhongshan Science and Technology Bureau | zhongshan | 中山 | Zhongshan
深圳市光明区科技创新局
    | Guangming District Science and Technology Innovation Bureau | shenzhen
    | 光明科学城 | Guangming Science City
香港特别行政区政府创新科技署
    | Innovation and Technology Commission, HKSAR Government | hongkong | 香港 | Hong Kong
澳门特别行政区政府经济及科技发展局
    | Economic and Technological Development Bureau, Macao SAR | macao | 澳门 | Macao
澳门科学技术发展基金 | Science and Technology Development Fund, Macao SAR | macao | 澳门 | Macao
"""

# Brand names of the fictional companies: zh | pinyin
_BRANDS: Final = """
华芯 | Huaxin
锐能 | Ruineng
博远 | Boyuan
星河 | Xinghe
智擎 | Zhiqing
海川 | Haichuan
德润 | Derun
微纳 | Weina
恒泰 | Hengtai
睿驰 | Ruichi
天工 | Tiangong
启明 | Qiming
曜石 | Yaoshi
鸿图 | Hongtu
源创 | Yuanchuang
清源 | Qingyuan
蓝海 | Lanhai
新宇 | Xinyu
凯越 | Kaiyue
柏锐 | Bairui
卓研 | Zhuoyan
峰岳 | Fengyue
青禾 | Qinghe
墨羽 | Moyu
云帆 | Yunfan
磐石 | Panshi
知行 | Zhixing
辰光 | Chenguang
晶途 | Jingtu
泓川 | Hongchuan
衡宇 | Hengyu
南粤 | Nanyue
湾芯 | Wanxin
粤创 | Yuechuang
钛科 | Taike
融智 | Rongzhi
臻远 | Zhenyuan
朗图 | Langtu
沐光 | Muguang
艾诺 | Ainuo
翔宇 | Xiangyu
汇能 | Huineng
诺丰 | Nuofeng
聚芯 | Juxin
昊天 | Haotian
正阳 | Zhengyang
丰禾 | Fenghe
长风 | Changfeng
嘉穗 | Jiasui
松湖 | Songhu
"""

# --------------------------------------------------------------------------------------------
# Sentence patterns. Placeholders: a/A main term (A capitalised), b a technique or sibling term,
# c a second term, m/M modifier, s/s2 scenarios (s2 may come from a related industry), p/np/npe
# pain, goal, x/y/z performance phrases, who/Who, k/k2/k3 stage numbers, modes, partner/Partner,
# cities, place, ind (industry name), trl, yi (annual output), months.
# --------------------------------------------------------------------------------------------

_Pattern = tuple[str, str]

_TITLES: Final[tuple[tuple[_Pattern, float], ...]] = (
    (("{m}{a}关键技术", "Key technologies for {m} {a}"), 6),
    (("{m}{a}", "{M} {a}"), 3),
    (("基于{b}的{a}", "{A} based on {b}"), 4),
    (("基于{b}的{m}{a}", "{M} {a} based on {b}"), 4),
    (("面向{s}的{a}", "{A} for {s}"), 4),
    (("面向{s}的{m}{a}", "{M} {a} for {s}"), 4),
    (("{m}{a}研发与产业化", "{M} {a}: development and industrialisation"), 3),
    (("{m}{a}及其在{s}中的应用", "{M} {a} and its application in {s}"), 4),
    (("{a}与{c}集成技术", "Integrated {a} and {c}"), 3),
    (("{s}用{m}{a}", "{M} {a} for {s}"), 3),
    (("{s}用{a}国产化替代方案", "Domestic alternative to imported {a} for {s}"), 2),
    (("{m}{a}中试与规模化生产技术", "Pilot-scale and volume production of {m} {a}"), 2),
    (("面向{s}的新一代{a}", "Next-generation {a} for {s}"), 2),
    (("基于{b}的{m}{a}及{s}应用", "{M} {a} based on {b} for {s}"), 3),
    (("{b}驱动的{a}{s}解决方案", "{B}-driven {a} solution for {s}"), 2),
    (("{a}{c}一体化技术", "{A} integrated with {c}"), 2),
)

_BACKGROUND: Final[tuple[_Pattern, ...]] = (
    ("目前{s}领域的{a}普遍存在{p}等问题。", "{A} used in {s} today suffers from {p}."),
    (
        "{s}对{a}的需求快速增长，但国内产品仍受制于{p}。",
        "Demand for {a} in {s} is growing fast, but domestic products are held back by {p}.",
    ),
    (
        "{a}是{s}的关键环节，长期面临{p}的瓶颈。",
        "{A} is key to {s} but has long been limited by {p}.",
    ),
)

_METHOD: Final[tuple[_Pattern, ...]] = (
    (
        "{who}开发了{m}{a}技术，核心采用{b}。",
        "{Who} has developed {m} {a} technology built on {b}.",
    ),
    (
        "本成果以{b}为核心，研制出{m}{a}，并形成完整工艺包。",
        "Built on {b}, the result delivers {m} {a} together with a complete process package.",
    ),
    (
        "项目将{b}与{c}相结合，实现了{a}的{goal}。",
        "The project combines {b} with {c} to achieve {goal} of {a}.",
    ),
    (
        "{who}在{a}方向积累多年，提出了基于{b}的新方案。",
        "With years of work on {a}, {who} has proposed a new approach based on {b}.",
    ),
    (
        "{who}围绕{a}开展攻关，突破了{b}等关键工艺。",
        "{Who} has tackled {a} and mastered key processes including {b}.",
    ),
)

_GOALS: Final[tuple[_Pattern, ...]] = (
    ("低成本制造", "low-cost manufacture"),
    ("批量制备", "batch production"),
    ("自主可控", "independent supply"),
    ("性能提升", "better performance"),
    ("工程化应用", "engineering application"),
)

_PERFORMANCE: Final[tuple[tuple[_Pattern, int], ...]] = (
    (("测试表明，{x}，{y}。", "Tests show {x} and {y}."), 2),
    (("关键指标方面，{x}；{y}；{z}。", "Key figures: {x}; {y}; {z}."), 3),
    (
        (
            "{x}，较现有方案提升明显。",
            "It achieves {x}, a clear improvement over existing solutions.",
        ),
        1,
    ),
    (("经第三方检测，{x}，{y}。", "Third-party testing confirms {x} and {y}."), 2),
)

_STAGE: Final[dict[int, tuple[_Pattern, ...]]] = {
    1: (
        (
            "目前处于实验室原理验证阶段，已发表相关论文{k}篇。",
            "The work is at the proof-of-principle stage, with {k} papers published.",
        ),
        (
            "已完成理论分析与关键原理验证。",
            "Theoretical analysis and key principle tests are done.",
        ),
    ),
    4: (
        (
            "已完成实验室样机并通过小试验证。",
            "A laboratory prototype has been built and validated at bench scale.",
        ),
        (
            "已完成{k}批次小试，工艺参数基本稳定。",
            "{k} bench-scale batches are complete and the process is largely stable.",
        ),
    ),
    6: (
        (
            "已建成中试线，累计试运行超过{k2}小时。",
            "A pilot line has logged more than {k2} hours of trial operation.",
        ),
        (
            "样机已在{k}家企业完成现场验证。",
            "Prototypes have completed field trials at {k} companies.",
        ),
    ),
    8: (
        (
            "产品已在{k}家用户单位规模化应用，累计销售额超过{k3}万元。",
            "The product is in use at {k} customer sites, with sales above RMB {k3m} million.",
        ),
        ("已实现批量生产并通过行业认证。", "It is in volume production and industry-certified."),
    ),
}

_APPLICATION: Final[tuple[_Pattern, ...]] = (
    ("可应用于{s}、{s2}等领域。", "Applications include {s} and {s2}."),
    ("适用于{s}和{s2}。", "It suits {s} and {s2}."),
    ("成果可直接服务于{s}，也可拓展至{s2}。", "It serves {s} directly and can extend to {s2}."),
)

_COOPERATION: Final[tuple[_Pattern, ...]] = (
    ("现寻求{partner}以{modes}方式合作。", "The team seeks {partner} for {modes}."),
    (
        "拟在{cities}落地转化，可采用{modes}方式。",
        "The team plans to commercialise it in {cities} through {modes}.",
    ),
    ("欢迎{partner}洽谈{modes}。", "{Partner} are welcome to discuss {modes}."),
)

_FILLERS: Final[tuple[_Pattern, ...]] = (
    ("项目拥有完整自主知识产权。", "The project holds its own intellectual property in full."),
    ("团队可提供技术培训和工艺支持。", "The team can provide training and process support."),
    (
        "相关成果已通过省级科技成果评价。",
        "The results have passed a provincial technology appraisal.",
    ),
)

_PATENT_TITLES: Final[tuple[str, ...]] = (
    "一种{a}及其制备方法",
    "一种基于{b}的{a}控制方法",
    "一种{a}的检测装置及方法",
    "一种{m}{a}结构及其制造方法",
    "一种用于{s}的{a}系统",
    "一种{a}的在线监测方法",
    "{m}{a}装置",
)

_NEED_TITLES: Final[tuple[tuple[_Pattern, float], ...]] = (
    (("现有{a}{np}，寻求技术解决方案", "Our current {a} {npe} — seeking a solution"), 4),
    (("寻求用于{s}的{m}{a}技术", "Seeking {m} {a} technology for {s}"), 4),
    (("征集{a}合作开发伙伴", "Partner wanted to co-develop {a}"), 2),
    (("{s}场景下的{a}技术需求", "Technology need: {a} for {s}"), 3),
    (("需要基于{b}的{a}方案", "We need {a} based on {b}"), 2),
)

_GOV_TITLES: Final[tuple[tuple[_Pattern, float], ...]] = (
    (("{place}拟引进{a}产业化项目", "{place} seeks {a} projects to industrialise locally"), 4),
    (("{place}征集{s}领域{a}技术", "{place} calls for {a} technologies for {s}"), 3),
    (("{place}拟引进{a}与{c}研发团队", "{place} invites {a} and {c} R&D teams"), 2),
)

# --------------------------------------------------------------------------------------------
# Parsed vocabulary
# --------------------------------------------------------------------------------------------


class Pair(NamedTuple):
    zh: str
    en: str


class Term(NamedTuple):
    zh: str
    en: str
    code: str


class Metric(NamedTuple):
    zh: str
    en: str
    low: float
    high: float
    digits: int


class Institution(NamedTuple):
    zh: str
    en: str
    city: str


class Government(NamedTuple):
    zh: str
    en: str
    city: str
    place_zh: str
    place_en: str


class Zipf(Generic[T]):
    """Draws items with weight 1/rank**s: the first few common, the rest a long tail."""

    __slots__ = ("_cum", "_items", "_total")

    def __init__(self, items: Sequence[T], s: float = 1.0) -> None:
        if not items:
            raise ValueError("Zipf needs at least one item")
        self._items = list(items)
        self._cum = list(accumulate(1.0 / rank**s for rank in range(1, len(items) + 1)))
        self._total = self._cum[-1]

    def __call__(self, rng: Random) -> T:
        return self._items[bisect_right(self._cum, rng.random() * self._total)]


class Weighted(Generic[T]):
    """Draws items with the given relative weights."""

    __slots__ = ("_cum", "_items", "_total")

    def __init__(self, pairs: Sequence[tuple[T, float]]) -> None:
        self._items = [item for item, _ in pairs]
        self._cum = list(accumulate(weight for _, weight in pairs))
        self._total = self._cum[-1]

    def __call__(self, rng: Random) -> T:
        return self._items[bisect_right(self._cum, rng.random() * self._total)]


class Industry(NamedTuple):
    code: str
    terms: Zipf[Term]
    subs: Zipf[str]
    by_sub: dict[str, Zipf[Term]]
    scenes: dict[str, Zipf[Pair]]
    metrics: dict[str, tuple[Metric, ...]]
    fields: tuple[Pair, ...]
    institutions: Zipf[Institution]
    hkmo_institutions: Zipf[Institution]


def _lines(text: str) -> list[str]:
    """Non-blank lines; a line that starts with "|" continues the one before it."""
    lines: list[str] = []
    for raw in text.strip().splitlines():
        line = raw.strip()
        if line.startswith("|") and lines:
            lines[-1] += " " + line
        elif line:
            lines.append(line)
    return lines


def _rows(text: str) -> list[list[str]]:
    return [[cell.strip() for cell in line.split("|")] for line in _lines(text)]


def _pairs(text: str) -> tuple[Pair, ...]:
    return tuple(Pair(row[0], row[1]) for row in _rows(text))


def _parse_institutions() -> list[tuple[Institution, frozenset[str]]]:
    return [
        (Institution(row[0], row[1], row[2]), frozenset(row[3].split()))
        for row in _rows(_INSTITUTIONS)
    ]


def _parse_industry(code: str, text: str) -> Industry:
    terms: list[Term] = []
    scenes: list[tuple[Pair, frozenset[str]]] = []
    metrics: list[tuple[Metric, frozenset[str]]] = []
    fields: list[Pair] = []
    section = ""
    for line in _lines(text):
        if line.startswith(("@", "%")):
            section = line
            continue
        cells = [cell.strip() for cell in line.split("|")]
        if section.startswith("@"):
            terms.append(Term(cells[0], cells[1], section[1:]))
        elif section == "%scene":
            scenes.append(
                (Pair(cells[0], cells[1]), frozenset(cells[2].split() if cells[2:] else ()))
            )
        elif section == "%metric":
            only = frozenset(cells[5].split()) if cells[5:] else frozenset()
            metric = Metric(cells[0], cells[1], float(cells[2]), float(cells[3]), int(cells[4]))
            metrics.append((metric, only))
        elif section == "%field":
            fields.append(Pair(cells[0], cells[1]))
    subs = list(dict.fromkeys(term.code for term in terms))
    # Interleave the subsections so that the head of each is common; earlier subsections (the
    # busier second-level codes) thin out more slowly than later ones.
    position = {term: [t for t in terms if t.code == term.code].index(term) for term in terms}
    by_rank = sorted(terms, key=lambda t: (position[t] + 0.5) * (1 + 0.25 * subs.index(t.code)))
    institutions = [inst for inst, tags in _parse_institutions() if not tags or code in tags]
    hkmo = [inst for inst in institutions if inst.city in _HKMO]
    return Industry(
        code=code,
        terms=Zipf(by_rank),
        subs=Zipf(subs),
        by_sub={sub: Zipf([t for t in terms if t.code == sub]) for sub in subs},
        scenes={
            sub: Zipf([scene for scene, only in scenes if not only or sub in only]) for sub in subs
        },
        metrics={
            sub: tuple(metric for metric, only in metrics if not only or sub in only)
            for sub in subs
        },
        fields=tuple(fields),
        institutions=Zipf(institutions, s=0.8),
        hkmo_institutions=Zipf(hkmo, s=0.8),
    )


class Vocabulary(NamedTuple):
    industries: dict[str, Industry]
    pick_industry: Weighted[str]
    enablers: Zipf[Pair]
    modifiers: Zipf[Pair]
    pains: tuple[tuple[str, str, str, str], ...]
    partners: tuple[Pair, ...]
    brands: tuple[Pair, ...]
    governments: tuple[Government, ...]
    pick_city: Weighted[str]
    titles: Weighted[_Pattern]
    need_titles: Weighted[_Pattern]
    gov_titles: Weighted[_Pattern]
    performance: Weighted[_Pattern]


@cache
def vocabulary() -> Vocabulary:
    """The parsed term banks (built once)."""
    return Vocabulary(
        industries={code: _parse_industry(code, text) for code, text in _BANKS.items()},
        pick_industry=Weighted(list(_INDUSTRY_WEIGHTS.items())),
        enablers=Zipf(_pairs(_ENABLERS)),
        modifiers=Zipf(_pairs(_MODIFIERS), s=0.8),
        pains=tuple((row[0], row[1], row[2], row[3]) for row in _rows(_PAINS)),
        partners=_pairs(_PARTNERS),
        brands=_pairs(_BRANDS),
        governments=tuple(Government(*row[:5]) for row in _rows(_GOVERNMENT)),
        pick_city=Weighted([(code, spec[3]) for code, spec in _CITIES.items()]),
        titles=Weighted(_TITLES),
        need_titles=Weighted(_NEED_TITLES),
        gov_titles=Weighted(_GOV_TITLES),
        performance=Weighted(_PERFORMANCE),
    )


@cache
def _s2hk() -> opencc.OpenCC:
    return opencc.OpenCC("s2hk")


def to_traditional(texts: Sequence[str]) -> list[str]:
    """Simplified → Hong Kong Traditional, one converter call for the lot."""
    converted: str = _s2hk().convert("\n".join(texts))
    return converted.split("\n")


# --------------------------------------------------------------------------------------------
# Building blocks
# --------------------------------------------------------------------------------------------


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _nice(value: float) -> int:
    size = abs(value)
    step = 1 if size < 100 else 10 if size < 2000 else 50 if size < 10_000 else 500
    return round(value / step) * step


def _figure(rng: Random, metric: Metric) -> Pair:
    value = rng.uniform(metric.low, metric.high)
    if metric.digits == 0:
        number = _nice(value)
        zh, en = str(number), f"{number:,}"
    else:
        zh = en = f"{value:.{metric.digits}f}"
    return Pair(metric.zh.replace("{v}", zh), metric.en.replace("{v}", en))


def _join_en(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _join_zh(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else "、".join(items[:-1]) + "或" + items[-1]


def _modes(rng: Random) -> list[str]:
    count = rng.choices((1, 2, 3), (4, 5, 1))[0]
    chosen = set(rng.sample(_MODE_ORDER, count))
    return [mode for mode in _MODE_ORDER if mode in chosen]


def _target_cities(rng: Random, voc: Vocabulary, home: str) -> list[str]:
    count = rng.choices((1, 2, 3), (3, 4, 3))[0]
    cities = [home] if rng.random() < 0.5 else []
    while len(cities) < count:
        city = voc.pick_city(rng)
        if city not in cities:
            cities.append(city)
    return cities


def _other(rng: Random, pick: Zipf[Term], avoid: Sequence[str]) -> Term:
    term = pick(rng)
    for _ in range(4):
        if term.zh not in avoid:
            break
        term = pick(rng)
    return term


def _company(rng: Random, voc: Vocabulary, industry: Industry, city: str) -> Pair:
    _, name_en, prefixes, _ = _CITIES[city]
    field = rng.choice(industry.fields)
    prefix = rng.choice(prefixes)
    if rng.random() < 0.3:
        return Pair(f"{prefix}某{field.zh}有限公司", f"A {name_en} {field.en.lower()} company")
    brand = rng.choice(voc.brands)
    suffix = "股份有限公司" if rng.random() < 0.2 else "有限公司"
    return Pair(f"{prefix}{brand.zh}{field.zh}{suffix}", f"{brand.en} {field.en} Co., Ltd.")


def _patent_number(rng: Random, granted: bool) -> str:
    year = rng.randint(2013, 2023) if granted else rng.randint(2021, 2025)
    kind = "2" if granted and rng.random() < 0.15 else "1"  # utility models: granted only
    digits = f"{year}{kind}{rng.randrange(10_000_000):07d}"
    check = sum(int(d) * w for d, w in zip(digits, (2, 3, 4, 5, 6, 7, 8, 9) * 2, strict=False)) % 11
    return f"{'ZL' if granted else 'CN'}{digits}.{'X' if check == 10 else check}"


def _patents(rng: Random, ctx: dict[str, str]) -> list[dict[str, str]]:
    count = rng.choices((0, 1, 2, 3), (20, 35, 30, 15))[0]
    patents = []
    for template in rng.sample(_PATENT_TITLES, count):
        status = rng.choices(("granted", "pending", "lapsed"), (55, 38, 7))[0]
        patents.append(
            {
                "number": _patent_number(rng, status != "pending"),
                "title": template.format(**ctx),
                "status": status,
            }
        )
    return patents


def _stage(trl: int) -> tuple[_Pattern, ...]:
    return _STAGE[1 if trl <= 3 else 4 if trl <= 5 else 6 if trl <= 7 else 8]


def _fit(
    parts: list[Pair], optional: list[int], zh_range: tuple[int, int], en_range: tuple[int, int]
) -> tuple[str, str] | None:
    """Drop optional sentences until both languages are within range; None if impossible."""
    keep = list(range(len(parts)))
    while True:
        zh = "".join(parts[i].zh for i in keep)
        en = " ".join(parts[i].en for i in keep)
        zh_len, en_len = len(zh), len(en.split())
        if zh_len <= zh_range[1] and en_len <= en_range[1]:
            break
        droppable = [i for i in optional if i in keep]
        if not droppable:
            return None
        keep.remove(droppable[0])
    if zh_len < zh_range[0] or en_len < en_range[0]:
        return None
    return zh, en


# --------------------------------------------------------------------------------------------
# Projects
# --------------------------------------------------------------------------------------------

_TRL_WEIGHTS: Final = (2, 4, 8, 14, 17, 18, 16, 12, 9)
_SUMMARY_ZH: Final = (80, 200)
_SUMMARY_EN: Final = (40, 110)


class Context(NamedTuple):
    zh: dict[str, str]
    en: dict[str, str]
    main: Term
    codes: list[str]
    metrics: list[Metric]
    keywords: list[str]


def _context(rng: Random, voc: Vocabulary, industry: Industry) -> Context:
    """The shared vocabulary of one listing: main term, technique, second term, scenarios.

    A listing that spans a second industry does so through where it is applied (a SiC device
    for passenger cars is 1.2 and 5.2), so the related industry contributes a scenario.
    """
    a = industry.terms(rng)
    same_sub = industry.by_sub[a.code]
    c = _other(rng, same_sub if rng.random() < 0.7 else industry.terms, (a.zh,))
    b: Pair
    if rng.random() < 0.5:
        b = voc.enablers(rng)
    else:
        term = _other(rng, same_sub, (a.zh, c.zh))
        b = Pair(term.zh, term.en)
    if b.zh in (a.zh, c.zh):
        b = Pair("工艺优化", "process optimisation")
    codes = [a.code]
    if c.code != a.code and rng.random() < 0.4:
        codes.append(c.code)
    scenes = industry.scenes[a.code]
    s = scenes(rng)
    metrics = list(industry.metrics[a.code])
    s2 = s
    if rng.random() < 0.4:
        other = voc.industries[rng.choice(_RELATED[industry.code])]
        sub = other.subs(rng)
        s2 = other.scenes[sub](rng)
        if s2 != s:
            codes.append(sub)
            if rng.random() < 0.2:
                metrics.append(rng.choice(other.metrics[sub]))
    for _ in range(4):
        if s2 != s:
            break
        s2 = scenes(rng)
    m = voc.modifiers(rng)
    pain = rng.choice(voc.pains)
    goal = rng.choice(_GOALS)
    zh = {
        "a": a.zh,
        "A": a.zh,
        "b": b.zh,
        "B": b.zh,
        "c": c.zh,
        "m": m.zh,
        "M": m.zh,
        "s": s.zh,
        "s2": s2.zh,
        "p": pain[0],
        "np": pain[2],
        "goal": goal[0],
    }
    en = {
        "a": a.en,
        "A": _cap(a.en),
        "b": b.en,
        "B": _cap(b.en),
        "c": c.en,
        "m": m.en,
        "M": _cap(m.en),
        "s": s.en,
        "s2": s2.en,
        "p": pain[1],
        "npe": pain[3],
        "goal": goal[1],
    }
    keywords = list(dict.fromkeys((a.zh, c.zh, b.zh, s.zh, s2.zh)))
    return Context(zh, en, a, codes[:3], metrics, keywords)


def _project_text(
    rng: Random,
    voc: Vocabulary,
    zh: dict[str, str],
    en: dict[str, str],
    metrics: list[Metric],
    trl: int,
    modes: list[str],
    targets: list[str],
) -> tuple[str, str]:
    figures = [_figure(rng, metric) for metric in rng.sample(metrics, min(3, len(metrics)))]
    while len(figures) < 3:
        figures.append(figures[-1])
    k = rng.randint(2, 12)
    k3 = rng.randint(3, 300) * 100
    partner = rng.choice(voc.partners)
    zh.update(
        x=figures[0].zh,
        y=figures[1].zh,
        z=figures[2].zh,
        k=str(k),
        k2=str(rng.randint(5, 80) * 100),
        k3=str(k3),
        modes=_join_zh([_MODES[mode][0] for mode in modes]),
        partner=partner.zh,
        Partner=partner.zh,
        cities="、".join(_CITIES[city][0] for city in targets),
    )
    en.update(
        x=figures[0].en,
        y=figures[1].en,
        z=figures[2].en,
        k=str(k),
        k2=f"{int(zh['k2']):,}",
        k3m=f"{k3 / 100:g}",
        modes=_join_en([_MODES[mode][1] for mode in modes]),
        partner=partner.en,
        Partner=_cap(partner.en),
        cities=_join_en([_CITIES[city][1] for city in targets]).replace(" or ", " and "),
    )
    for _ in range(8):
        sentences: list[_Pattern] = []
        optional: list[int] = []
        if rng.random() < 0.6:
            optional.append(len(sentences))
            sentences.append(rng.choice(_BACKGROUND))
        sentences.append(rng.choice(_METHOD))
        sentences.append(voc.performance(rng))
        if rng.random() < 0.8:
            optional.insert(0, len(sentences))
            sentences.append(rng.choice(_stage(trl)))
        sentences.append(rng.choice(_APPLICATION))
        sentences.append(rng.choice(_COOPERATION))
        if rng.random() < 0.25:
            optional.insert(0, len(sentences))
            sentences.append(rng.choice(_FILLERS))
        parts = [Pair(p[0].format(**zh), p[1].format(**en)) for p in sentences]
        fitted = _fit(parts, optional, _SUMMARY_ZH, _SUMMARY_EN)
        if fitted is None and len(parts) < 7:
            parts.append(Pair(*_FILLERS[0]))
            fitted = _fit(parts, optional, _SUMMARY_ZH, _SUMMARY_EN)
        if fitted is not None:
            return fitted
    raise RuntimeError("could not fit a summary into its length bounds")


def _price(rng: Random) -> int | float | None:
    if rng.random() < 0.22:
        return None
    value: float = 30 * (8000 / 30) ** (rng.random() ** 1.3)
    if value < 100 and rng.random() < 0.2:
        return round(value * 2) / 2
    return _nice(value)


def _team_at(inst: Institution) -> str:
    name = "the" + inst.en[3:] if inst.en.startswith("The ") else inst.en
    return f"a team at {name}"


def _project(rng: Random, voc: Vocabulary, number: int) -> dict[str, Any]:
    industry = voc.industries[voc.pick_industry(rng)]
    traditional = rng.random() < 0.10
    ctx = _context(rng, voc, industry)
    zh, en, a = ctx.zh, ctx.en, ctx.main

    if traditional:
        if rng.random() < 0.75:
            inst = industry.hkmo_institutions(rng)
            institution, who_en, city = inst.zh, _team_at(inst), inst.city
        else:
            city = rng.choice(_HKMO)
            institution, who_en = _company(rng, voc, industry, city).zh, "the company's R&D team"
    elif rng.random() < 0.62:
        inst = industry.institutions(rng)
        institution, who_en, city = inst.zh, _team_at(inst), inst.city
    else:
        city = voc.pick_city(rng)
        institution, who_en = _company(rng, voc, industry, city).zh, "the company's R&D team"
    if who_en.startswith("a team") and rng.random() < 0.5:
        zh["who"], en["who"] = f"{institution}团队", who_en
    else:
        zh["who"] = "项目团队" if rng.random() < 0.6 else "研发团队"
        en["who"] = "the team" if zh["who"] == "项目团队" else "the R&D team"
    zh["Who"], en["Who"] = zh["who"], _cap(en["who"])

    trl = rng.choices(range(1, 10), _TRL_WEIGHTS)[0]
    modes = _modes(rng)
    targets = _target_cities(rng, voc, city)
    title = voc.titles(rng)
    title_zh, title_en = title[0].format(**zh), _cap(title[1].format(**en))
    summary_zh, summary_en = _project_text(rng, voc, zh, en, ctx.metrics, trl, modes, targets)

    keywords = list(ctx.keywords)
    if a.en != a.zh and rng.random() < 0.5:
        keywords.insert(1, a.en)
    while len(keywords) < 3 or (len(keywords) < 6 and rng.random() < 0.4):
        word = _other(rng, industry.by_sub[a.code], keywords).zh
        if word in keywords:
            word = zh["m"] + a.zh
        if word in keywords:
            break
        keywords.append(word)
    keywords = keywords[: rng.randint(3, 6)]

    patents = _patents(rng, zh)
    if traditional:
        texts = [title_zh, summary_zh, institution, *keywords, *(p["title"] for p in patents)]
        converted = to_traditional(texts)
        title_zh, summary_zh, institution = converted[:3]
        keywords = converted[3 : 3 + len(keywords)]
        for patent, patent_title in zip(patents, converted[3 + len(keywords) :], strict=True):
            patent["title"] = patent_title

    return {
        "type": "project",
        "external_id": f"BENCH-P-{number:07d}",
        "title_zh": title_zh,
        "title_en": title_en,
        "summary_zh": summary_zh,
        "summary_en": summary_en,
        "keywords": keywords,
        "industries": ctx.codes,
        "trl": trl,
        "transfer_modes": modes,
        "institution": institution,
        "city": city,
        "target_cities": targets,
        "price_wan": _price(rng),
        "patents": patents,
        "status": "published",
    }


def generate_projects(n: int, seed: int = 7) -> Iterator[dict[str, Any]]:
    """Yield ``n`` published project records in the import format, deterministic per seed."""
    rng = Random(seed)
    voc = vocabulary()
    for number in range(1, n + 1):
        yield _project(rng, voc, number)


# --------------------------------------------------------------------------------------------
# Needs
# --------------------------------------------------------------------------------------------


def _yi_en(yi: int) -> str:
    return f"RMB {yi / 10:g} billion" if yi >= 10 else f"RMB {yi * 100} million"


def _need(rng: Random, voc: Vocabulary, number: int) -> dict[str, Any]:
    industry = voc.industries[voc.pick_industry(rng)]
    roll = rng.random()
    language = "zh-hant" if roll < 0.06 else "en" if roll < 0.10 else "both"
    traditional = language == "zh-hant" or (language == "both" and rng.random() < 0.05)
    government = language != "en" and rng.random() < 0.2
    ctx = _context(rng, voc, industry)
    zh, en, a = ctx.zh, ctx.en, ctx.main
    figure = _figure(rng, rng.choice(ctx.metrics))
    modes = _modes(rng)
    zh["modes"] = _join_zh([_MODES[mode][0] for mode in modes])
    en["modes"] = _join_en([_MODES[mode][1] for mode in modes])

    if government:
        hkmo = [g for g in voc.governments if g.city in _HKMO]
        gov = rng.choice(hkmo if traditional and rng.random() < 0.7 else voc.governments)
        city, organization_zh, organization_en = gov.city, gov.zh, gov.en
        zh["place"], en["place"] = gov.place_zh, gov.place_en
        zh["ind"], en["ind"] = _INDUSTRY_NAMES[industry.code]
        title = voc.gov_titles(rng)
        parts = [
            Pair(
                "{place}将{ind}列为重点发展方向，希望加快补齐产业链关键环节。",
                "{place} treats {ind} as a priority and wants to close gaps in its supply chain.",
            ),
            Pair(
                "拟引进{a}、{c}等科技成果落地转化，重点支持{s}场景应用。",
                "It seeks {a}, {c} and related results to commercialise locally, focusing on {s}.",
            ),
            Pair(
                "对符合条件的项目可协调研发与生产场地及相关扶持政策。",
                "Eligible projects can be offered R&D and production space and policy support.",
            ),
        ]
        min_trl = rng.choice((None, None, 4, 5, 6, 7))
        if min_trl is not None:
            zh["trl"] = en["trl"] = str(min_trl)
            parts.append(
                Pair(
                    "优先考虑技术成熟度达到{trl}级以上的项目。",
                    "Projects at TRL {trl} or above are preferred.",
                )
            )
        parts.append(
            Pair(
                "欢迎港澳及海外团队以{modes}方式参与。",
                "Teams from Hong Kong, Macao and abroad may join through {modes}.",
            )
        )
        budget: int | None = None if rng.random() < 0.8 else _nice(rng.uniform(200, 5000))
    else:
        if language == "zh-hant" or (traditional and rng.random() < 0.7):
            city = rng.choice(_HKMO)
        elif language == "en":
            city = rng.choice(
                ("hongkong", "hongkong", "macao", "qianhai", "hetao", "nansha", "shenzhen")
            )
        else:
            city = voc.pick_city(rng)
        company = _company(rng, voc, industry, city)
        organization_zh = company.zh
        if language == "en" and company.en.startswith("A "):
            organization_en = company.en
        else:
            organization_en = f"{_CITIES[city][1]} {company.en}" if language == "en" else company.en
        yi = rng.randint(1, 60)
        zh.update(yi=str(yi), x=figure.zh, months=str(rng.choice((6, 9, 12, 18, 24))))
        en.update(yi=_yi_en(yi), x=figure.en, months=zh["months"])
        title = voc.need_titles(rng)
        parts = [
            Pair(
                "我司主要面向{s}和{s2}，年产值约{yi}亿元。",
                "We serve {s} and {s2}, with annual output of about {yi}.",
            ),
            Pair(
                "目前使用的{a}{np}，已成为制约产品升级的瓶颈。",
                "The {a} we use today {npe}, and it now holds back our product upgrades.",
            ),
            Pair(
                "希望引进{m}{a}或{b}等技术，目标实现{x}。",
                "We seek {m} {a}, {b} or similar technology, targeting {x}.",
            ),
            Pair(
                "计划{months}个月内完成验证导入，可采用{modes}。",
                "We plan to validate within {months} months and are open to {modes}.",
            ),
        ]
        min_trl = rng.choices((None, 3, 4, 5, 6, 7, 8), (8, 3, 8, 15, 25, 25, 10))[0]
        budget = None if rng.random() < 0.12 else _nice(30 * (3000 / 30) ** rng.random())

    title_zh, title_en = title[0].format(**zh), _cap(title[1].format(**en))
    description_zh = "".join(part.zh.format(**zh) for part in parts)
    description_en = " ".join(_cap(part.en.format(**en)) for part in parts)
    keywords_zh = list(dict.fromkeys((*ctx.keywords, zh["m"] + a.zh)))
    keywords_en = list(dict.fromkeys((en["a"], en["c"], en["b"], en["s"], en["s2"])))
    count = rng.randint(3, 5)

    record: dict[str, Any] = {"type": "need", "external_id": f"BENCH-N-{number:07d}"}
    if language == "en":
        record.update(
            title_en=title_en,
            description_en=description_en,
            keywords=keywords_en[:count],
        )
        organization = organization_en
    else:
        keywords = keywords_zh[:count]
        organization = organization_zh
        if traditional:
            converted = to_traditional([title_zh, description_zh, organization, *keywords])
            title_zh, description_zh, organization = converted[:3]
            keywords = converted[3:]
        record["title_zh"] = title_zh
        if language == "both":
            record["title_en"] = title_en
        record["description_zh"] = description_zh
        if language == "both":
            record["description_en"] = description_en
        record["keywords"] = keywords
    record.update(
        industries=ctx.codes[:2],
        city=city,
        min_trl=min_trl,
        transfer_modes=modes,
        budget_wan=budget,
        organization=organization,
        organization_kind="government" if government else "enterprise",
        visibility="public",
        status="open",
    )
    return record


def generate_needs(n: int, seed: int = 11) -> Iterator[dict[str, Any]]:
    """Yield ``n`` public open need records in the import format, deterministic per seed."""
    rng = Random(seed)
    voc = vocabulary()
    for number in range(1, n + 1):
        yield _need(rng, voc, number)


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def write_jsonl(records: Iterator[dict[str, Any]], out: IO[str]) -> int:
    """Write records as JSON Lines; returns how many were written."""
    count = 0
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    for record in records:
        out.write(dumps(record))
        out.write("\n")
        count += 1
    return count


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.corpus",
        description="Write a synthetic Ketao import file (JSON Lines) for search benchmarks.",
    )
    parser.add_argument("--projects", type=int, default=1000, help="number of projects")
    parser.add_argument("--needs", type=int, default=100, help="number of needs")
    parser.add_argument("--out", default="-", help="output .jsonl file ('-' for stdout)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the projects")
    parser.add_argument("--needs-seed", type=int, default=11, help="seed of the needs")
    args = parser.parse_args(argv)
    if args.projects < 0 or args.needs < 0:
        parser.error("--projects and --needs must not be negative")

    started = time.perf_counter()
    if args.out == "-":
        projects = write_jsonl(generate_projects(args.projects, args.seed), sys.stdout)
        needs = write_jsonl(generate_needs(args.needs, args.needs_seed), sys.stdout)
    else:
        path = Path(args.out)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="\n") as out:
            projects = write_jsonl(generate_projects(args.projects, args.seed), out)
            needs = write_jsonl(generate_needs(args.needs, args.needs_seed), out)
    elapsed = time.perf_counter() - started
    print(
        f"wrote {projects} projects and {needs} needs to {args.out} in {elapsed:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
