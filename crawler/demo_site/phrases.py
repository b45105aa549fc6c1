"""Sentence, heading and title templates of the demo site, grouped by what they say.

Slots (``{cond}``, ``{sym}``, ...) are filled by ``prose.py`` from ``vocab.py``; a slot
with a capital first letter (``{Sym}``) is filled capitalized, for the start of a sentence.
Section headings are grouped by the kind the writer means; their real kind is whatever
the keyword table says (docs/record-contract.md, Section kinds; ``truth.classify_heading``),
which a test checks.
"""

from __future__ import annotations

INTRO = (
    "{Cond} is a common problem of the {part}, and many people ignore it until it affects work.",
    "Many people notice {sym} and think it will pass, but it can be an early sign of {cond}.",
    "{Cond} is not serious in most cases, but it is annoying and relapses if habits do not change.",
    "Knowing the symptoms and causes of {cond} helps you deal with it early and avoid detours.",
    "Doctors see more and more patients with {cond}, and the patients are getting younger every year.",
    "In the clinic, {who} often ask whether {sym} is something to worry about.",
    "The {part} works quietly every day, so we rarely think about it until something goes wrong.",
    "Statistics show that about one in {num} adults will have {cond} at some point in life.",
    "Below we explain how to recognize {cond}, what causes it and what you can do at home.",
    "If {sym} has bothered you for more than {dur}, it is worth reading on.",
    "Modern lifestyles, with {cause} and {cause2}, have made {cond} far more common than before.",
)
SYMPTOMS = (
    "The most common symptom is {sym}, which often gets worse {when}.",
    "Some patients also have {sym}, and a few notice {sym2} as well.",
    "{Sym} is usually the first complaint, and it may come and go for {dur} before patients see a doctor.",
    "As the disease progresses, {sym} becomes more frequent and {sym2} may appear.",
    "In mild cases there is only {sym}, which many people mistake for simple tiredness.",
    "{Who} tend to have milder symptoms, so the problem is easy to miss.",
    "When {sym} comes together with {sym2}, the condition is usually more advanced.",
    "The symptoms are often worse {when} and ease a little after rest.",
    "Doctors pay special attention to {sym}, because it helps tell {cond} apart from similar problems.",
    "Some people have no obvious discomfort at all, and {cond} is only found during {test}.",
)
CAUSES = (
    "{Cause} is one of the most common reasons, especially among {who}.",
    "Repeated exposure to {cause} keeps irritating the {part} and makes recovery slow.",
    "{Cause} and {cause2} often work together, so removing only one of them is not enough.",
    "A family history also plays a part, but lifestyle factors such as {cause} matter more.",
    "In {who}, the most common trigger is {cause}.",
    "Experts believe that {cause} changes the normal balance of the {part}.",
    "Even small daily habits, such as {cause}, add up over {dur}.",
    "Other reasons include {cause}, {cause2} and side effects of certain drugs.",
)
TREATMENT = (
    "Treatment depends on the cause, so {test} usually comes first.",
    "In most cases doctors recommend {treat}, and the symptoms ease within {dur}.",
    "{Treat} works well for many patients, but it should be used under a doctor's guidance.",
    "For severe or repeated attacks, {treat} may be combined with {treat2}.",
    "Do not stop the treatment on your own once you feel better, because {cond} relapses easily.",
    "Patients who do not respond to {treat} can discuss other options with a specialist.",
    "Self-medication with unknown health products may delay proper treatment.",
)
DIAGNOSIS = (
    "The doctor will first ask about your symptoms and then arrange {test}.",
    "{Test} helps confirm the diagnosis and rule out other diseases.",
    "If the result is unclear, {test} may be repeated after {dur}.",
    "Bring a record of when {sym} happens, as it helps the doctor a lot.",
    "Most examinations are quick and painless, and the results are usually ready the same day.",
)
DIET = (
    "Foods such as {food} and {food2} are gentle and suitable during recovery.",
    "Eat small meals more often, and choose soft, warm and easily digested food.",
    "Reduce salt, sugar and fried food, which make {cond} harder to control.",
    "{Food} is a good choice for many patients, but variety matters more than any single food.",
    "Drink enough water every day, and limit strong tea, coffee and alcohol.",
    "A balanced plate with vegetables, whole grains and some protein supports the {part}.",
)
CARE = (
    "Keep a regular schedule and go to bed at the same time every day.",
    "Light exercise such as brisk walking or tai chi for {dur_short} a day helps recovery.",
    "Family members should be patient, because {cond} can make people anxious and irritable.",
    "Pay attention to changes in {sym}, and write them down for the next visit.",
    "Keep the room clean, ventilated and at a comfortable temperature.",
    "{Who} need more rest during an attack and should avoid heavy work.",
)
OTHER = (
    "If {sym} lasts more than {dur}, or comes with {sym2}, see a doctor as soon as possible.",
    "{Cond} is usually manageable, and most patients live normal lives with proper care.",
    "Go to the hospital at once if the symptoms suddenly get much worse.",
    "Regular follow-up visits help the doctor adjust the plan in time.",
    "Do not panic: with early attention, most cases of {cond} can be well controlled.",
    "{Who} should have a check-up every year, even when they feel well.",
)
ADVICE = (
    "Keep a regular schedule, combine work and rest, and avoid overwork.",
    "Maintain a good mood and avoid negative emotions such as tension and anxiety.",
    "Quit smoking and limit alcohol, as both harm the {part}.",
    "Drink enough warm water every day and keep the indoor air moist.",
    "Exercise for at least {dur_short} most days of the week to improve your resistance.",
    "Eat more {food} and {food2}, and less spicy, fried and salty food.",
    "Stay away from {cause}, which is a common trigger of {cond}.",
    "Have {test} once a year, especially if {who} in your family have had {cond}.",
    "Wash your hands often and avoid crowded places during the flu season.",
    "Keep a healthy weight, because extra weight puts more load on the {part}.",
    "Do not take medicine without a doctor's advice, even if {sym} comes back.",
    "Go to bed before eleven and get seven to eight hours of sleep.",
    "Change your posture every hour when working at a desk.",
    "Treat {sym} early instead of waiting for it to go away on its own.",
)
SHORT_ADVICE = ("Quit smoking", "Limit alcohol", "Get enough sleep", "Drink more water",
                "Stay active", "Eat less salt", "Keep warm")
INTRO_TO_ITEMS = (
    "The following habits are worth keeping:",
    "Try the following points:",
    "Doctors usually suggest the following:",
    "Pay attention to these points:",
)
CLOSING = (
    "If the problem lasts or keeps coming back, see a doctor instead of relying on home remedies.",
    "Sticking to these habits for a few months usually brings a clear improvement.",
)
HEADINGS = {
    "symptoms": ("Symptoms and signs", "Symptoms of {cond}", "Early symptoms", "Main symptoms",
                 "Typical symptoms", "Warning signs", "Clinical manifestations",
                 "Common symptoms of {cond}", "Late-stage signs"),
    "causes": ("Common causes", "Main causes", "What causes {cond}", "Risk factors",
               "Causes", "Why {cond} happens"),
    "prevention": ("Preventive care", "Daily prevention", "How to prevent {cond}", "Prevention",
                   "Precautions in daily life", "Preventive measures", "Prevention tips"),
    "treatment": ("Treatment", "Treatment methods", "How to treat {cond}", "Therapy options",
                  "Medication and other remedies"),
    "diagnosis": ("Diagnosis", "How doctors diagnose it", "Tests and examinations"),
    "diet": ("Dietary advice", "What to eat", "Foods that help", "Nutrition tips"),
    "care": ("Home care", "Daily care", "Nursing at home", "Lifestyle changes",
             "Tips for daily life"),
    "other": ("When to see a doctor", "What is {cond}", "Is {cond} serious?",
              "Does it go away on its own?", "Outlook"),
}
TITLES = (
    "What are the symptoms of {cond}? Don't ignore these signs",
    "What causes {cond}? Pay attention to these points in daily life",
    "Is {cond} serious? Here is what you should know",
    "How to prevent {cond}: advice from doctors",
    "{Cond}: causes, symptoms and treatment",
    "Early signs of {cond} that many people miss",
    "Why do I keep getting {cond}?",
    "Can {cond} be cured? Correct treatment matters",
    "{Who} should watch out for {cond}",
    "{Sym}? Beware of {cond}",
    "How to relieve {cond} at home",
    "Ten questions about {cond} answered",
)
BLURBS = (
    "A short guide for busy readers.", "Five points to remember.", "What doctors recommend.",
    "Simple habits that really help.", "Answers to common questions.", "Read this before you worry.",
)
WHEN = ("in the morning", "at night", "after meals", "in cold weather", "after exercise",
        "under stress", "in the change of seasons", "after a long day at work")
WHO = ("office workers", "the elderly", "children", "pregnant women", "smokers",
       "people who stay up late", "young people", "middle-aged men", "new mothers")
DURATION = ("two weeks", "three weeks", "a month", "three months", "several days", "half a year")
DURATION_SHORT = ("thirty minutes", "twenty minutes", "forty minutes", "half an hour")
NUMBERS = ("five", "six", "eight", "ten", "twelve", "twenty")
COMMENTS = (
    "I have had this for years, and the advice here really helps. Thank you for the article.",
    "1. My father has the same problem. Should he do the test first?",
    "Is this safe for pregnant women? I could not find the answer anywhere.",
    "Very clear explanation, much better than what I read elsewhere.",
    "My doctor said almost the same thing last month. Saving this page.",
    "How long does it usually take to get better? Mine has lasted two months.",
    "Can children follow the same advice, or is it only for adults?",
    "I tried the diet tips for three weeks and feel a lot better now.",
    "The part about sleep was an eye-opener for me. Going to bed earlier from today.",
    "Please write more about the treatment options, especially for older patients.",
)
