"""Case mix: what a stay of each clinical profile is made of (item pools, surgery, intensive care).

A diagnosis names a profile; the profile says which catalogue pools its drugs, tests, examinations and
treatments come from, how likely an operation is and which one (by diagnosis where it depends on the organ),
and the lowest hospital capability that treats it (1 primary, 2 county, 3 tertiary).
"""

from __future__ import annotations

from dataclasses import dataclass

# (procedure names, materials as (name, least, most), anaesthesia name or "") — names are catalogue names.
Material = tuple[str, int, int]


@dataclass(frozen=True, slots=True)
class Operation:
    procedures: tuple[str, ...]
    materials: tuple[Material, ...]
    anaesthesia: str


@dataclass(frozen=True, slots=True)
class Profile:
    drugs: tuple[str, ...]
    labs: tuple[str, ...] = ()
    exams: tuple[str, ...] = ()
    treats: tuple[str, ...] = ()
    surgery_share: float = 0.0
    operations: tuple[Operation, ...] = ()
    capability: int = 1
    icu_share: float = 0.0
    herb_share: float = 0.05
    cost_sigma: float = 0.55


GA = "全身麻醉"
SPINAL = "椎管内麻醉"
BLOCK = "神经阻滞麻醉"

_LAP = (("一次性使用腹腔镜穿刺器", 1, 1), ("可吸收结扎夹", 2, 6), ("可吸收缝合线", 1, 3))
_ONC_MATS = (("一次性使用直线型切割吻合器", 1, 1), ("腔镜切割吻合器钉仓", 2, 4), ("超声刀头", 0, 1),
             ("可吸收止血纱布", 1, 2), ("负压引流器", 1, 1), ("可吸收缝合线", 2, 4))
_PCI_MATS = (("药物洗脱冠状动脉支架", 1, 2), ("冠状动脉球囊扩张导管", 1, 2), ("PTCA导引导丝", 1, 1),
             ("冠状动脉造影导管", 1, 2), ("动脉鞘管", 1, 1), ("桡动脉压迫止血器", 1, 1))

PCI = Operation(("冠状动脉造影术", "经皮冠状动脉内支架置入术"), _PCI_MATS, "")
ANGIO = Operation(("冠状动脉造影术",), (("冠状动脉造影导管", 1, 2), ("动脉鞘管", 1, 1)), "")
PACER = Operation(("永久起搏器安置术",), (("双腔永久心脏起搏器", 1, 1),), BLOCK)

# Operations that depend on the organ, by the first three characters of the diagnosis code.
OPERATIONS_BY_CODE: dict[str, tuple[Operation, ...]] = {
    "C34": (Operation(("胸腔镜下肺叶切除术",), _ONC_MATS, GA),),
    "C16": (Operation(("胃癌根治术",), _ONC_MATS, GA),),
    "C18": (Operation(("结肠癌根治术",), _ONC_MATS, GA),),
    "C20": (Operation(("直肠癌根治术",), _ONC_MATS, GA),),
    "C50": (Operation(("乳腺癌改良根治术",), (("负压引流器", 1, 2), ("可吸收缝合线", 2, 3)), GA),),
    "C22": (Operation(("肝部分切除术",), _ONC_MATS, GA),),
    "S72": (
        Operation(("人工股骨头置换术",), (("人工股骨头假体", 1, 1), ("骨水泥", 1, 2)), SPINAL),
        Operation(("股骨颈骨折闭合复位内固定术",), (("空心加压螺钉", 2, 3),), SPINAL),
        Operation(("股骨粗隆间骨折切开复位内固定术",), (("股骨近端髓内钉", 1, 1),), SPINAL),
    ),
    "S82": (Operation(("胫腓骨骨折切开复位内固定术",), (("锁定接骨板", 1, 2), ("可吸收缝合线", 1, 2)), SPINAL),),
    "S52": (Operation(("桡骨远端骨折切开复位内固定术",), (("锁定接骨板", 1, 1),), BLOCK),),
    "S32": (Operation(("经皮椎体成形术",), (("骨水泥", 1, 2), ("椎体成形球囊导管", 1, 1)), BLOCK),),
    "M16": (Operation(("人工全髋关节置换术",), (("人工全髋关节假体", 1, 1), ("骨水泥", 1, 2)), GA),),
    "M17": (Operation(("人工全膝关节置换术",), (("人工全膝关节假体", 1, 1), ("骨水泥", 1, 2)), GA),),
    "D25": (
        Operation(("腹腔镜下子宫切除术",), _LAP, GA),
        Operation(("子宫肌瘤剔除术",), (("可吸收缝合线", 2, 3),), SPINAL),
    ),
    "N83": (Operation(("卵巢囊肿剥除术",), _LAP, GA),),
    "N20": (
        Operation(("输尿管镜碎石取石术",), (("输尿管支架管", 1, 1), ("一次性使用钬激光光纤", 1, 1)), SPINAL),
        Operation(("经皮肾镜碎石取石术",), (("输尿管支架管", 1, 1), ("一次性使用钬激光光纤", 1, 1)), GA),
    ),
}

PROFILES: dict[str, Profile] = {
    "med": Profile(drugs=("drug_tcm",), exams=("exam_head", "exam_chest"), treats=("treat_tcm",)),
    "stroke": Profile(
        drugs=("drug_neuro", "drug_cardio", "drug_tcm"), labs=("lab_cardio",), exams=("exam_head",),
        treats=("treat_rehab", "treat_tcm"), icu_share=0.03, herb_share=0.15,
    ),
    "ich": Profile(
        drugs=("drug_neuro", "drug_icu"), labs=("lab_icu", "lab_cardio"), exams=("exam_head", "exam_chest"),
        treats=("treat_icu", "treat_rehab"), surgery_share=0.4, capability=2, icu_share=0.5, cost_sigma=0.7,
        operations=(
            Operation(("开颅颅内血肿清除术",), (("颅内引流管", 1, 2), ("颅骨修补钛网", 0, 1)), GA),
            Operation(("颅骨钻孔引流术",), (("颅内引流管", 1, 1),), GA),
        ),
    ),
    "pci": Profile(
        drugs=("drug_cardio",), labs=("lab_cardio",), exams=("exam_cardio",), surgery_share=0.85,
        operations=(PCI,), capability=2, icu_share=0.2,
    ),
    "cardio": Profile(
        drugs=("drug_cardio", "drug_tcm"), labs=("lab_cardio",), exams=("exam_cardio",), surgery_share=0.3,
        operations=(ANGIO, PCI),
    ),
    "heart": Profile(
        drugs=("drug_cardio", "drug_tcm"), labs=("lab_cardio",), exams=("exam_cardio",), surgery_share=0.04,
        operations=(PACER,),
    ),
    "rehab": Profile(drugs=("drug_neuro", "drug_tcm"), treats=("treat_rehab", "treat_tcm"), herb_share=0.4),
    "resp": Profile(
        drugs=("drug_resp", "drug_tcm"), labs=("lab_inf",), exams=("exam_chest",), treats=("treat_resp",),
        herb_share=0.1,
    ),
    "icu": Profile(
        drugs=("drug_icu", "drug_resp", "drug_haem"), labs=("lab_icu", "lab_inf"), exams=("exam_chest",),
        treats=("treat_icu",), capability=2, icu_share=1.0, cost_sigma=0.75,
    ),
    "gallbladder": Profile(
        drugs=("drug_gi",), exams=("exam_abd",), surgery_share=0.8, capability=2,
        operations=(Operation(("腹腔镜下胆囊切除术",), _LAP, GA),),
    ),
    "appendix": Profile(
        drugs=("drug_gi",), exams=("exam_abd",), surgery_share=0.9, capability=2,
        operations=(Operation(("阑尾切除术",), (("可吸收缝合线", 1, 2), ("负压引流器", 0, 1)), SPINAL),),
    ),
    "hernia": Profile(
        drugs=("drug_gi",), surgery_share=0.95, capability=2,
        operations=(Operation(("腹股沟疝修补术",), (("疝修补补片", 1, 1), ("可吸收缝合线", 1, 2)), SPINAL),),
    ),
    "med_gi": Profile(drugs=("drug_gi", "drug_tcm"), exams=("exam_abd",), herb_share=0.1),
    "gi_heavy": Profile(
        drugs=("drug_gi", "drug_icu", "drug_haem"), labs=("lab_icu",), exams=("exam_abd",), capability=2,
        icu_share=0.15, cost_sigma=0.65,
    ),
    "endo": Profile(drugs=("drug_endo", "drug_tcm"), labs=("lab_endo",), exams=("exam_cardio",), herb_share=0.1),
    "cancer": Profile(
        drugs=("drug_onc", "drug_tcm"), labs=("lab_onc",), exams=("exam_onc", "exam_chest"), treats=("treat_onc",),
        surgery_share=0.25, capability=2, cost_sigma=0.5,
    ),
    "leukaemia": Profile(
        drugs=("drug_haem", "drug_icu", "drug_onc"), labs=("lab_inf", "lab_icu"), exams=("exam_chest",),
        treats=("treat_icu",), capability=3, icu_share=0.3, cost_sigma=0.7,
    ),
    "radio": Profile(drugs=("drug_onc",), labs=("lab_onc",), exams=("exam_onc",), treats=("treat_onc",), capability=3),
    "renal": Profile(
        drugs=("drug_dialysis", "drug_cardio"), labs=("lab_renal",), exams=("exam_uro",), surgery_share=0.3,
        operations=(Operation(("动静脉内瘘成形术",), (("可吸收缝合线", 1, 1),), BLOCK),), capability=2,
    ),
    "stone": Profile(drugs=("drug_uro",), exams=("exam_uro",), surgery_share=0.7, capability=2),
    "prostate": Profile(
        drugs=("drug_uro",), exams=("exam_uro",), surgery_share=0.6, capability=2,
        operations=(Operation(("经尿道前列腺电切术",), (("一次性使用导尿包", 1, 2),), SPINAL),),
    ),
    "hip_fracture": Profile(
        drugs=("drug_ortho", "drug_cardio"), exams=("exam_ortho",), surgery_share=0.9, capability=2,
    ),
    "fracture": Profile(drugs=("drug_ortho",), exams=("exam_ortho",), surgery_share=0.85, capability=2),
    "spine_fracture": Profile(drugs=("drug_ortho",), exams=("exam_ortho",), surgery_share=0.5, capability=2),
    "joint": Profile(drugs=("drug_ortho",), exams=("exam_ortho",), surgery_share=0.95, capability=2),
    "spine": Profile(
        drugs=("drug_ortho", "drug_tcm"), exams=("exam_ortho",), treats=("treat_tcm", "treat_rehab"), herb_share=0.35,
    ),
    "cataract": Profile(
        drugs=("drug_eye",), exams=("exam_eye",), surgery_share=0.97, capability=2,
        operations=(
            Operation(("白内障超声乳化摘除术", "人工晶体植入术"), (("折叠式人工晶体", 1, 1), ("眼用黏弹剂", 1, 1)), BLOCK),
        ),
    ),
    "glaucoma": Profile(
        drugs=("drug_eye",), exams=("exam_eye",), surgery_share=0.5, capability=2,
        operations=(Operation(("小梁切除术",), (("可吸收缝合线", 1, 1),), BLOCK),),
    ),
    "gyn": Profile(drugs=("drug_gi",), exams=("exam_abd",), surgery_share=0.9, capability=2),
    "psych": Profile(drugs=("drug_psych",), exams=("exam_psych",), treats=("treat_psych",)),
}


def operations_for(dise_codg: str, profile: Profile) -> tuple[Operation, ...]:
    """The operations a stay with this diagnosis may have: by organ first, else the profile's own."""
    return OPERATIONS_BY_CODE.get(dise_codg[:3], profile.operations)
