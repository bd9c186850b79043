"""The first published question bank (docs/questionnaire.md). Our own plain-language questions.

The data is written out here, not imported, so this migration means the same thing forever;
later versions are made in the admin (copy this version to a draft, edit, publish).
"""

from django.db import migrations
from django.utils import timezone

CLINICAL = "clinical_supervision_recommended"

FREQUENCY = [
    ("never", "Never or hardly ever"),
    ("yearly", "A few times a year"),
    ("monthly", "Most months"),
    ("weekly", "Most weeks"),
]
FREQUENCY_WORDS = {"yearly": "a few times a year", "monthly": "most months", "weekly": "most weeks"}

# key, question text, hint, why we ask, words in a reason, specialism,
# {frequency: (clinical points, consultation points, fires clinical?)}
PRESENTATIONS = [
    (
        "dysregulation",
        "Emotional dysregulation",
        "Feelings that quickly become overwhelming or hard to manage.",
        "Staying steady alongside big feelings is one of the things community organisations asked clinicians about.",
        "emotional dysregulation",
        "Emotional dysregulation",
        {"weekly": (1, 0, False), "monthly": (0, 1, False)},
    ),
    (
        "abandonment",
        "Fear of abandonment",
        "Strong distress at endings, gaps or feeling let down.",
        "It often shows when support is time-limited; a clinician can help you plan endings well.",
        "fear of abandonment",
        "Fear of abandonment and endings",
        {"weekly": (1, 0, False), "monthly": (0, 1, False)},
    ),
    (
        "splitting",
        "Splitting",
        "Seeing people as all good or all bad, which can divide a team.",
        "Splitting can set staff against each other; supervision helps a team stay together.",
        "splitting",
        "Splitting",
        {"weekly": (1, 0, False), "monthly": (0, 1, False)},
    ),
    (
        "dissociation",
        "Dissociation",
        "Someone seeming absent or ‘switched off’, or losing time.",
        "Grounding someone safely, especially in creative or mindfulness work, is something a clinician can teach.",
        "dissociation",
        "Dissociation",
        {"weekly": (2, 0, False), "monthly": (0, 1, False)},
    ),
    (
        "hearing_voices",
        "Hearing voices",
        "Hearing, seeing or sensing things that others do not.",
        "Many people live well with voices; staff who meet them often benefit from someone who knows this work.",
        "people who hear voices",
        "Hearing voices",
        {"weekly": (2, 0, False), "monthly": (0, 2, False), "yearly": (0, 1, False)},
    ),
    (
        "psychosis",
        "Psychosis",
        "Losing touch with what others see as reality, such as unusual beliefs.",
        "Psychosis can carry risk and needs joined-up care; a clinician helps you judge when to involve others.",
        "psychosis",
        "Psychosis",
        {"weekly": (0, 0, True), "monthly": (2, 0, False), "yearly": (0, 2, False)},
    ),
    (
        "substance_misuse",
        "Substance misuse",
        "Drink or drugs affecting someone's life or safety.",
        "Substance use changes risk and how people show up to groups; it is a specialism worth asking for.",
        "substance misuse",
        "Substance misuse",
        {"weekly": (1, 0, False), "monthly": (0, 1, False)},
    ),
    (
        "mania",
        "Mania or hypomania",
        "Very high energy, racing thoughts, little sleep, risky decisions.",
        "Mania is less common in community settings but can escalate quickly; knowing the signs matters.",
        "mania or hypomania",
        "Mania and hypomania",
        {"weekly": (2, 0, False), "monthly": (0, 2, False), "yearly": (0, 1, False)},
    ),
    (
        "favourite_person",
        "Being someone's “favourite person”",
        "One person relying intensely on one member of staff.",
        "Organisations named this (often linked with a diagnosis of borderline personality disorder) as hard to navigate alone.",
        "being someone's “favourite person”",
        "Being someone's “favourite person”",
        {"weekly": (1, 0, False), "monthly": (0, 1, False)},
    ),
    (
        "self_harm",
        "Self-harm or suicidal distress",
        "Someone hurting themselves, or thinking about ending their life.",
        "This is where staff most need to know what is safe; risk to life is supervision's normative (safety) side.",
        "self-harm or suicidal distress",
        "Self-harm and suicidal distress",
        {"weekly": (0, 0, True), "monthly": (2, 0, False), "yearly": (0, 1, False)},
    ),
]

YES_NO = [("yes", "Yes"), ("no", "No")]

SECTIONS = [
    {
        "key": "work",
        "title": "Who you work with and how",
        "intro": "About the people you support and the kind of work you do with them.",
        "questions": [
            ("group_work", "yes_no", True, "Do you run groups — courses, drop-ins, activity or peer support groups?", "",
             "The people who run groups need supervision from someone who understands group work.", YES_NO),
            ("one_to_one", "yes_no", True, "Do staff or volunteers support people one to one?", "",
             "In 1:1 work a practitioner holds more on their own, with no co-facilitator to share it.", YES_NO),
            ("therapeutic_content", "single", True,
             "Does your work use therapeutic or creative methods that can bring up strong feelings?",
             "For example drama, art, movement, mindfulness, or talking through life stories.",
             "Methods that open up feelings can surface trauma that staff then need to hold safely.",
             [("no", "No"), ("sometimes", "Sometimes, as part of what we do"), ("central", "Yes, it is at the heart of what we do")]),
            ("trauma_disclosures", "single", True,
             "How often do people tell staff or volunteers about trauma — abuse, violence, war or loss?", "",
             "Hearing about trauma takes a toll over time; supervision's restorative side is there for it.",
             [("rarely", "Rarely or never"), ("sometimes", "A few times a year"), ("monthly", "Most months"), ("weekly", "Most weeks")]),
            ("crisis_work", "single", True, "Do staff support people at a point of crisis?",
             "For example someone at risk of harm, just out of hospital, or about to lose their home.",
             "Crisis work means decisions about risk, often quickly; a clinician helps you make them and stand by them.",
             [("no", "No"), ("sometimes", "Sometimes"), ("main", "Yes, it is our main work")]),
            ("time_limited", "yes_no", True,
             "Is your support time-limited — a course of set length, or support that ends after some weeks?", "",
             "Endings can stir fear of abandonment in the people you support; staff asked for help with this.", YES_NO),
        ],
    },
    {
        "key": "presentations",
        "title": "What staff meet",
        "intro": "How often do staff or volunteers meet each of these? Answer for your whole team. "
        "You do not need a diagnosis — go by what you see.",
        "questions": [
            (key, "single", True, text, hint, why, FREQUENCY) for key, text, hint, why, _w, _s, _p in PRESENTATIONS
        ],
    },
    {
        "key": "team",
        "title": "Your team's experience and training",
        "intro": "About the people who do 1:1 or group work, paid or volunteer.",
        "questions": [
            ("clinical_backgrounds", "single", True,
             "Do any of the people who do 1:1 or group work have a clinical or professional background?",
             "For example nurse, social worker, counsellor, psychologist, occupational therapist, or support worker in specialist services.",
             "It helps a clinician pitch supervision at the right level, and to respect the experience you already have.",
             [("none", "No"), ("some", "Some of them"), ("most", "Most of them")]),
            ("lived_experience", "yes_no", True,
             "Do staff or volunteers bring their own lived experience of mental distress to their role?", "",
             "Lived experience is a strength; it can also mean the work touches staff personally.", YES_NO),
            ("training", "multiple", True, "Which of these has most of your team had in the last two years?",
             "Select all that apply.",
             "Training and supervision do different jobs, but knowing what the team has had tells a clinician where to start.",
             [("trauma_informed", "Trauma-informed practice"), ("risk_enablement", "Risk enablement (positive risk-taking)"),
              ("suicide_prevention", "Suicide prevention"), ("mental_health_first_aid", "Mental health first aid"),
              ("none", "None of these")]),
        ],
    },
    {
        "key": "support",
        "title": "Support already in place",
        "intro": "What your staff can already turn to.",
        "questions": [
            ("safeguarding_lead", "yes_no", True, "Do you have a named safeguarding lead?", "",
             "A safeguarding lead is the first route for worries about risk; without one, more rests on outside advice.", YES_NO),
            ("non_clinical_supervision", "single", True,
             "Do staff have supervision or check-ins with a manager about their work with people?", "",
             "Regular non-clinical supervision already covers much of the safety and support; clinical supervision adds to it.",
             [("none", "No"), ("occasional", "Now and then"), ("regular", "Yes, regularly — at least every 6 weeks")]),
            ("reflective_practice", "yes_no", True,
             "Do staff have a regular reflective practice space — your own, or a pooled group?", "",
             "A monthly reflective group supports wellbeing and learning from peers.", YES_NO),
            ("keyworker_contacts", "yes_no", True,
             "Do you have named contacts in statutory services — a care coordinator, keyworker or duty team — you can call about someone?", "",
             "When you can reach someone's care team, fewer worries need a clinician of your own.", YES_NO),
        ],
    },
    {
        "key": "limits",
        "title": "Limits and risks",
        "intro": "Where the edges of your work are.",
        "questions": [
            ("out_of_hours", "single", True,
             "Do people contact staff outside working hours — evenings, weekends, by text or social media?", "",
             "Out-of-hours contact blurs boundaries and raises risk; supervision helps set and keep them.",
             [("no", "No"), ("sometimes", "Sometimes"), ("often", "Often")]),
            ("insurance", "single", True, "Does your insurance cover all the work you do, including 1:1 and group work?", "",
             "Some insurers ask about supervision for therapeutic work; your answer goes in the clinician brief.",
             [("yes", "Yes"), ("not_sure", "Not sure"), ("no", "No")]),
            ("incidents", "single", True, "In the last year, how many serious incidents have there been?",
             "For example calling emergency services for someone, a safeguarding referral about risk to life, or the death of someone you support.",
             "Serious incidents show the work reaches a level of risk where clinical oversight helps.",
             [("none", "None"), ("one", "One"), ("several", "Two or more")]),
        ],
    },
    {
        "key": "practical",
        "title": "Practical details for costing",
        "intro": "These size the hours and the cost in your bid line.",
        "questions": [
            ("practitioners_1to1", "number", True, "How many staff or volunteers do 1:1 work with people?", "Enter 0 if none.",
             "One-to-one supervision is costed for each practitioner.", []),
            ("group_facilitators", "number", True, "How many staff or volunteers facilitate groups?", "Enter 0 if none.",
             "Group supervision is costed for each group of up to 6 facilitators.", []),
            ("hopes", "multiple", False, "What do you most want from supervision?", "Select all that apply.",
             "These are the three functions of supervision (normative, formative, restorative); they go in the clinician brief.",
             [("safety", "Help deciding what is safe, and what to do when worried"),
              ("skills", "Learning about presentations and ways of working"),
              ("wellbeing", "Support for staff wellbeing")]),
            ("delivery", "single", False, "How would you like supervision delivered?", "",
             "For finding a supervisor, and for the clinician brief.",
             [("online", "Online"), ("in_person", "In person"), ("either", "Either")]),
        ],
    },
]

# key, question, option, min number, clinical points, consultation points, fires, reason, specialisms
RULES = [
    ("therapeutic-central", "therapeutic_content", "central", None, 3, 0, "",
     "Therapeutic or creative methods are at the heart of your work, and they can bring up strong feelings that staff then hold.", ""),
    ("therapeutic-sometimes", "therapeutic_content", "sometimes", None, 0, 1, "",
     "You sometimes use methods that can bring up strong feelings.", ""),
    ("trauma-weekly", "trauma_disclosures", "weekly", None, 3, 0, "",
     "People tell staff about trauma most weeks.", "Trauma"),
    ("trauma-monthly", "trauma_disclosures", "monthly", None, 0, 2, "",
     "People tell staff about trauma most months.", "Trauma"),
    ("one-to-one", "one_to_one", "yes", None, 1, 0, "",
     "Staff support people one to one, where they hold more on their own.", ""),
    ("crisis-main", "crisis_work", "main", None, 0, 0, CLINICAL,
     "Supporting people at a point of crisis is your main work.", "Crisis and risk"),
    ("crisis-sometimes", "crisis_work", "sometimes", None, 2, 0, "",
     "Staff sometimes support people at a point of crisis.", "Crisis and risk"),
    ("time-limited", "time_limited", "yes", None, 0, 1, "",
     "Your support is time-limited, and endings can stir fear of abandonment.", ""),
]
for _key, _text, _hint, _why, _words, _specialism, _points in PRESENTATIONS:
    for _frequency, (_c, _k, _fires) in _points.items():
        RULES.append(
            (f"{_key.replace('_', '-')}-{_frequency}", _key, _frequency, None, _c, _k, CLINICAL if _fires else "",
             f"Staff meet {_words} {FREQUENCY_WORDS[_frequency]}.", _specialism)
        )
RULES += [
    ("no-clinical-background", "clinical_backgrounds", "none", None, 0, 1, "",
     "No one who does 1:1 or group work has a clinical background to draw on.", ""),
    ("no-training", "training", "none", None, 0, 1, "",
     "The team has had none of the listed training in the last two years.", ""),
    ("no-safeguarding-lead", "safeguarding_lead", "no", None, 2, 0, "",
     "You have no named safeguarding lead, so more rests on outside advice.", ""),
    ("no-supervision", "non_clinical_supervision", "none", None, 0, 1, "",
     "Staff have no supervision or check-ins about their work.", ""),
    ("regular-supervision", "non_clinical_supervision", "regular", None, -1, 0, "",
     "Staff already have regular non-clinical supervision, which lowers the need.", ""),
    ("reflective-practice", "reflective_practice", "yes", None, -1, 0, "",
     "Staff already have a regular reflective practice space, which lowers the need.", ""),
    ("no-keyworker-contacts", "keyworker_contacts", "no", None, 0, 1, "",
     "You have no named contacts in statutory services to call when worried.", ""),
    ("out-of-hours-often", "out_of_hours", "often", None, 2, 0, "",
     "People often contact staff outside working hours.", ""),
    ("out-of-hours-sometimes", "out_of_hours", "sometimes", None, 0, 1, "",
     "People sometimes contact staff outside working hours.", ""),
    ("incidents-several", "incidents", "several", None, 0, 0, CLINICAL,
     "There have been two or more serious incidents in the last year.", "Crisis and risk"),
    ("incidents-one", "incidents", "one", None, 2, 0, "",
     "There has been a serious incident in the last year.", "Crisis and risk"),
    ("many-practitioners", "practitioners_1to1", "", "5", 1, 0, "",
     "Five or more people do 1:1 work, so more is held across the team.", ""),
]


def load(apps, schema_editor):
    Version = apps.get_model("supervision", "QuestionBankVersion")
    Section = apps.get_model("supervision", "Section")
    Question = apps.get_model("supervision", "Question")
    AnswerOption = apps.get_model("supervision", "AnswerOption")
    ScoringRule = apps.get_model("supervision", "ScoringRule")
    if Version.objects.filter(number=1).exists():
        return
    version = Version.objects.create(
        number=1,
        notes="First version: the sections of docs/questionnaire.md, with rules checked against docs/questionnaire-profiles.md.",
        clinical_threshold=5,
        consultation_threshold=3,
    )
    for s_order, data in enumerate(SECTIONS, start=1):
        section = Section.objects.create(
            version=version, key=data["key"], title=data["title"], intro=data["intro"], order=s_order
        )
        for q_order, (key, kind, required, text, hint, why, options) in enumerate(data["questions"], start=1):
            question = Question.objects.create(
                section=section, key=key, kind=kind, required=required, text=text, hint=hint, why_we_ask=why, order=q_order
            )
            for o_order, (value, label) in enumerate(options, start=1):
                AnswerOption.objects.create(question=question, value=value, label=label, order=o_order)
    for r_order, (key, question_key, option, min_number, c, k, fires, reason, specialisms) in enumerate(RULES, start=1):
        ScoringRule.objects.create(
            version=version,
            key=key,
            question_key=question_key,
            option_value=option,
            min_number=min_number,
            clinical_points=c,
            consultation_points=k,
            fires_outcome=fires,
            reason=reason,
            specialisms=specialisms,
            order=r_order,
        )
    # Published in the same step: the shipped version is immutable from the start.
    version.published_at = timezone.now()
    version.save(update_fields=["published_at"])


def unload(apps, schema_editor):
    Version = apps.get_model("supervision", "QuestionBankVersion")
    Version.objects.filter(number=1, assessments__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("supervision", "0002_questionnaire")]

    operations = [migrations.RunPython(load, unload)]
