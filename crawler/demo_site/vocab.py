"""Health vocabulary the demo site's prose is built from: body systems and their
conditions, symptoms, causes, tests and treatments, and the site's categories.

Plain immutable tables, so that the text reads like a real health site (not lorem ipsum)
while staying cheap to combine; ``prose.py`` holds the sentence templates that use them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class System:
    """One body system: the facts its articles draw their sentences from."""

    key: str
    parts: tuple[str, ...]
    conditions: tuple[tuple[str, str], ...]
    """(English name, Chinese name): the Chinese name appears on GBK-encoded pages."""
    symptoms: tuple[str, ...]
    causes: tuple[str, ...]
    tests: tuple[str, ...]
    treatments: tuple[str, ...]
    foods: tuple[str, ...]


SYSTEMS: tuple[System, ...] = (
    System(
        "respiratory",
        ("throat", "nose", "lungs", "airways", "chest"),
        (("chronic pharyngitis", "慢性咽炎"), ("allergic rhinitis", "过敏性鼻炎"),
         ("bronchitis", "支气管炎"), ("asthma", "哮喘"), ("COPD", "慢阻肺"),
         ("sinusitis", "鼻窦炎"), ("pneumonia", "肺炎")),
        ("a dry cough that lasts for weeks", "a sore or itchy throat", "a stuffy or runny nose",
         "shortness of breath on stairs", "wheezing at night", "thick yellow phlegm",
         "chest tightness", "frequent sneezing", "a low-grade fever", "hoarseness"),
        ("repeated colds that were not treated thoroughly", "long-term smoking",
         "dust and polluted air", "pollen and dust mites", "cold and dry weather",
         "second-hand smoke at home", "weak resistance after overwork"),
        ("a chest X-ray", "a lung function test", "a throat swab", "an allergy skin test"),
        ("inhaled medicine", "saline nasal rinses", "antibiotics prescribed by a doctor",
         "cough syrup for the night", "breathing exercises"),
        ("pears", "white radish", "honey water", "lily bulb porridge", "warm soup"),
    ),
    System(
        "digestive",
        ("stomach", "intestines", "liver", "gallbladder", "esophagus"),
        (("chronic gastritis", "慢性胃炎"), ("acid reflux", "胃食管反流"),
         ("irritable bowel syndrome", "肠易激综合征"), ("constipation", "便秘"),
         ("fatty liver", "脂肪肝"), ("gallstones", "胆结石"), ("peptic ulcer", "消化性溃疡")),
        ("dull pain in the upper abdomen", "bloating after meals", "frequent belching",
         "heartburn after lying down", "loss of appetite", "nausea in the morning",
         "alternating diarrhea and constipation", "black stools", "a bitter taste in the mouth",
         "a feeling of fullness after small meals"),
        ("irregular meals", "Helicobacter pylori infection", "spicy and greasy food",
         "heavy drinking", "long-term stress", "eating late at night", "overuse of painkillers"),
        ("a gastroscopy", "an abdominal ultrasound", "a breath test", "a stool test"),
        ("acid-suppressing drugs", "drugs that protect the stomach lining", "probiotics",
         "a short course of antibiotics", "gentle abdominal massage"),
        ("millet porridge", "steamed eggs", "soft noodles", "yogurt", "cooked pumpkin"),
    ),
    System(
        "cardiovascular",
        ("heart", "blood vessels", "arteries", "veins"),
        (("hypertension", "高血压"), ("coronary heart disease", "冠心病"),
         ("high cholesterol", "高血脂"), ("arrhythmia", "心律失常"), ("varicose veins", "静脉曲张"),
         ("heart failure", "心力衰竭")),
        ("headaches in the back of the head", "palpitations", "chest pain during exercise",
         "dizziness when standing up", "swollen ankles in the evening", "shortness of breath",
         "tiredness after light work", "ringing in the ears", "a racing pulse at rest"),
        ("a salty diet", "lack of exercise", "obesity", "smoking", "a family history",
         "chronic stress", "poor sleep", "too much alcohol"),
        ("a blood pressure measurement", "an electrocardiogram", "a blood lipid test",
         "a heart ultrasound"),
        ("blood pressure medicine taken every day", "statins", "low-dose aspirin when advised",
         "a cardiac rehabilitation program", "compression stockings"),
        ("oats", "celery", "deep-sea fish", "beans", "fresh vegetables"),
    ),
    System(
        "nervous",
        ("head", "nerves", "face", "brain"),
        (("migraine", "偏头痛"), ("hemifacial spasm", "面肌痉挛"), ("insomnia", "失眠"),
         ("neurasthenia", "神经衰弱"), ("trigeminal neuralgia", "三叉神经痛"),
         ("dizziness", "眩晕")),
        ("throbbing pain on one side of the head", "twitching of the eyelid or lips",
         "difficulty falling asleep", "poor memory", "sensitivity to light and noise",
         "numbness in the face", "a spinning feeling", "waking up too early"),
        ("mental stress", "staying up late", "irregular schedules", "strong tea and coffee",
         "hormonal changes", "a cold draft on the face", "long hours in front of screens"),
        ("a head CT scan", "an MRI scan", "an electroencephalogram", "a nerve conduction test"),
        ("pain relievers taken early in an attack", "relaxation training",
         "cognitive behavioral therapy", "acupuncture", "nerve-nourishing vitamins"),
        ("walnuts", "bananas", "warm milk", "whole grains", "jujube porridge"),
    ),
    System(
        "skin",
        ("skin", "scalp", "face", "hands"),
        (("eczema", "湿疹"), ("acne", "痤疮"), ("psoriasis", "银屑病"), ("urticaria", "荨麻疹"),
         ("hair loss", "脱发"), ("athlete's foot", "脚气")),
        ("itchy red patches", "dry and flaky skin", "small blisters", "pimples on the chin",
         "scales on the elbows", "hair falling out in clumps", "raised welts that come and go",
         "cracked skin between the toes"),
        ("an allergic constitution", "hot and humid weather", "hormone changes",
         "harsh soaps and detergents", "staying up late", "a damp environment",
         "scratching that breaks the skin"),
        ("a skin scraping test", "an allergy test", "a dermatoscope examination", "a blood test"),
        ("moisturizing creams", "antihistamine tablets", "topical steroid ointment for a short time",
         "antifungal cream", "light therapy"),
        ("green beans", "cucumbers", "fresh fruit", "lean meat", "barley porridge"),
    ),
    System(
        "musculoskeletal",
        ("neck", "back", "knees", "shoulders", "ankles"),
        (("cervical spondylosis", "颈椎病"), ("lumbar disc herniation", "腰椎间盘突出"),
         ("frozen shoulder", "肩周炎"), ("knee osteoarthritis", "膝关节炎"),
         ("ankle sprain", "踝关节扭伤"), ("gout", "痛风")),
        ("neck pain and stiffness", "numb fingers", "low back pain that spreads to the leg",
         "a swollen and painful joint", "pain when climbing stairs", "limited movement of the arm",
         "morning stiffness", "a clicking sound in the knee"),
        ("long hours of bowing the head", "poor sitting posture", "a pillow that is too high",
         "carrying heavy loads", "old sports injuries", "cold and damp weather",
         "a diet rich in purines"),
        ("an X-ray", "an MRI scan", "a uric acid test", "a physical examination by an orthopedist"),
        ("physical therapy", "traction", "anti-inflammatory drugs", "hot compresses",
         "surgery in severe cases"),
        ("milk", "tofu", "bone broth", "cherries", "dark leafy greens"),
    ),
    System(
        "endocrine",
        ("thyroid", "pancreas", "blood sugar", "metabolism"),
        (("diabetes", "糖尿病"), ("hyperthyroidism", "甲亢"), ("hypothyroidism", "甲减"),
         ("thyroid nodules", "甲状腺结节"), ("obesity", "肥胖症"), ("low blood sugar", "低血糖")),
        ("constant thirst", "frequent urination", "weight loss without dieting",
         "a fast heartbeat", "trembling hands", "feeling cold all the time", "slow-healing wounds",
         "blurred vision", "a lump in the front of the neck"),
        ("a family history", "being overweight", "too much sugar", "an autoimmune reaction",
         "iodine imbalance", "lack of physical activity", "long-term stress"),
        ("a fasting blood sugar test", "a thyroid function test", "a thyroid ultrasound",
         "an HbA1c test"),
        ("insulin or oral drugs as prescribed", "antithyroid drugs", "thyroid hormone tablets",
         "a structured weight-loss plan", "regular monitoring at home"),
        ("bitter gourd", "buckwheat", "kelp in moderation", "brown rice", "non-starchy vegetables"),
    ),
    System(
        "sensory",
        ("eyes", "ears", "vision", "hearing"),
        (("dry eye", "干眼症"), ("myopia", "近视"), ("tinnitus", "耳鸣"), ("otitis media", "中耳炎"),
         ("cataract", "白内障"), ("conjunctivitis", "结膜炎")),
        ("dry and gritty eyes", "blurred distant vision", "ringing in one ear", "ear pain",
         "red eyes with discharge", "cloudy vision", "a feeling of fullness in the ear",
         "eye fatigue after reading"),
        ("long hours in front of screens", "loud noise", "ear infections", "aging",
         "dry indoor air", "rubbing the eyes with dirty hands", "a cold that spreads to the ear"),
        ("a vision test", "a hearing test", "an eye pressure measurement", "an ear examination"),
        ("artificial tears", "glasses fitted by an optometrist", "antibiotic eye drops",
         "hearing aids", "sound therapy"),
        ("carrots", "goji berries", "blueberries", "eggs", "spinach"),
    ),
    System(
        "urinary",
        ("kidneys", "bladder", "prostate", "urinary tract"),
        (("urinary tract infection", "尿路感染"), ("kidney stones", "肾结石"),
         ("prostatitis", "前列腺炎"), ("chronic kidney disease", "慢性肾病"),
         ("overactive bladder", "膀胱过度活动症")),
        ("a burning feeling when urinating", "frequent urination at night", "cloudy urine",
         "pain in the lower back", "swelling of the eyelids in the morning", "a weak urine stream",
         "blood in the urine", "a sudden urge to urinate"),
        ("drinking too little water", "holding urine for a long time", "a high-salt diet",
         "sitting for long hours", "high blood pressure", "diabetes", "a weak immune system"),
        ("a urine test", "a kidney ultrasound", "a kidney function blood test", "a CT scan"),
        ("antibiotics for a full course", "drugs that relax the urinary tract",
         "shock-wave lithotripsy", "pelvic floor exercises", "a low-protein diet plan"),
        ("watermelon", "winter melon", "cranberries", "plain water", "corn silk tea"),
    ),
    System(
        "oral",
        ("teeth", "gums", "mouth", "tongue"),
        (("gingivitis", "牙龈炎"), ("dental caries", "龋齿"), ("mouth ulcers", "口腔溃疡"),
         ("bad breath", "口臭"), ("periodontitis", "牙周炎"), ("dentin hypersensitivity", "牙齿敏感")),
        ("bleeding gums when brushing", "tooth pain with cold drinks", "painful sores in the mouth",
         "bad breath that brushing does not remove", "loose teeth", "red and swollen gums",
         "a white coating on the tongue"),
        ("poor brushing habits", "too much sugar", "smoking", "vitamin deficiency",
         "stress and lack of sleep", "tartar build-up", "grinding the teeth at night"),
        ("a dental examination", "a dental X-ray", "a periodontal probe test", "a blood test"),
        ("professional cleaning", "fillings", "fluoride varnish", "medicated mouthwash",
         "vitamin B supplements"),
        ("crunchy vegetables", "cheese", "green tea", "apples", "leafy greens"),
    ),
)

SYSTEM_BY_KEY = {system.key: system for system in SYSTEMS}


@dataclass(frozen=True, slots=True)
class Category:
    """A listing category: its slug is its URL (``/c/<slug>/``), its parent the crumb above."""

    slug: str
    name: str
    zh_name: str
    parent_slug: str
    parent_name: str
    parent_zh: str
    system: str


def _cats(parent: tuple[str, str, str], *rows: tuple[str, str, str, str]) -> list[Category]:
    return [Category(slug, name, zh, *parent, system) for slug, name, zh, system in rows]


CATEGORIES: tuple[Category, ...] = tuple(
    _cats(("diseases", "Diseases", "疾病"),
          ("respiratory", "Respiratory", "呼吸科", "respiratory"),
          ("digestive", "Digestive", "消化科", "digestive"),
          ("neurology", "Neurology", "神经科", "nervous"),
          ("ent", "ENT", "耳鼻喉科", "sensory"),
          ("urology", "Urology", "泌尿科", "urinary"))
    + _cats(("chronic", "Chronic Diseases", "慢性病"),
            ("hypertension", "Hypertension", "高血压", "cardiovascular"),
            ("diabetes", "Diabetes", "糖尿病", "endocrine"),
            ("heart", "Heart Health", "心脏健康", "cardiovascular"))
    + _cats(("bones", "Bones and Joints", "骨科"),
            ("spine", "Spine", "脊柱", "musculoskeletal"),
            ("joints", "Joints", "关节", "musculoskeletal"))
    + _cats(("beauty", "Skin and Beauty", "皮肤美容"),
            ("skin-care", "Skin Care", "皮肤护理", "skin"),
            ("hair", "Hair", "头发", "skin"))
    + _cats(("family", "Family Health", "家庭健康"),
            ("eyes", "Eye Health", "眼科", "sensory"),
            ("oral", "Oral Health", "口腔", "oral"),
            ("sleep", "Sleep", "睡眠", "nervous"),
            ("thyroid", "Thyroid", "甲状腺", "endocrine"))
)

PARENTS: tuple[tuple[str, str], ...] = tuple(
    dict.fromkeys((c.parent_slug, c.parent_name) for c in CATEGORIES)
)
"""(slug, name) of the top-level sections, in nav order."""

COMMENTERS = ("Lily_2019", "Mr. Tang", "guest8831", "sunny_day", "Dr. Fan fan", "old_walker",
              "mama_bear", "runner42", "tea_lover", "Xiao Wu", "night_owl", "green_leaf")
