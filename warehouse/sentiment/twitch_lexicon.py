"""chatlake's own lexicon of Twitch emotes and chat slang, on VADER's scale (-4 .. +4).

Written by hand from how chat uses each token (the emote's face, what streamers and chat mean by
it), not taken from any labelled data set or published emote lexicon. The evaluation set under
../shared/data/sentiment was not used to choose or adjust a single value here.

Emotes are matched case-sensitively (Twitch emote names are: "LUL" is the emote, "lul" a word
typed like it); slang is matched lower-cased. A word in neither goes to VADER's lexicon.
"""

# Laughter and amusement: the most common positive feeling in chat. Laughing "at" a streamer's
# failure (OMEGALUL, KEKW) is still amusement, which is how chat readers read it. Hype and
# greetings too, with the mocking variants of those faces beside them (PogO, WeirdChamp).
_AMUSED = {
    "LUL": 2.0, "LULW": 2.0, "OMEGALUL": 2.3, "KEKW": 2.3, "KEK": 1.9, "KEKL": 2.0,
    "ICANT": 1.8, "pepeLaugh": 2.0, "PepeLaugh": 2.0, "EleGiggle": 1.6, "4Head": 1.2,
    "LuL": 1.8, "LOLW": 2.0, "haHAA": 0.6, "forsenLUL": 2.0, "Kapp": 0.6, "Kappa": 0.5,
    "KappaPride": 1.2, "Keepo": 0.5, "TriHard": 1.5, "xqcL": 2.5, "Clap": 1.8, "EZ": 0.8,
    "5Head": 1.0, "Pepega": -0.6, "pepeJAM": 1.5, "catJAM": 1.6, "peepoHappy": 2.5,
    "FeelsGoodMan": 2.5, "FeelsOkayMan": 1.0, "FeelsStrongMan": 1.6, "widepeepoHappy": 2.5,
    "SeemsGood": 2.0, "VoHiYo": 1.5, "HeyGuys": 1.5, "KonCha": 1.5, "CoolCat": 1.5,
    "bleedPurple": 1.5, "<3": 2.5, "peepoLove": 2.8, "EZY": 0.8, "Jebaited": 0.8,
    "BloodTrail": 1.0, "CoolStoryBob": -0.8, "forsenE": 0.3, "LOL": 2.0, "HYPERS": 2.6,
    "GIGACHAD": 1.8, "Chad": 1.5, "Okayge": 0.8, "Happi": 2.0, "widepeepoSad": -2.2,
    "SoBayed": 0.8, "HandsUp": 1.5, "GoodOne": 2.0, "POGGIES": 2.6, "POGGERS": 2.6,
    "PogU": 2.6, "Pog": 2.5, "PogChamp": 2.6, "PogBones": 2.2, "PagChomp": 2.4, "PagMan": 2.4,
    "PogO": -1.0, "WeirdChamp": -1.8, "pepeD": 1.5, "PartyHat": 1.8, "BlessRNG": 1.2,
    "TwitchUnity": 1.5, "GivePLZ": 1.2, "TakeNRG": 1.2, "Kreygasm": 2.4, "PJSalt": -1.5,
}

# Sadness, disappointment, pain, fear and anger, with a few lighter faces of the same families
# (OhMyDog, TriDance, Hopeful) beside them.
_SAD = {
    "Sadge": -2.2, "BibleThump": -2.0, "PepeHands": -2.3, "FeelsBadMan": -2.4,
    "FeelsWeirdMan": -1.6, "peepoSad": -2.2, "sadKEK": -0.6, "NotLikeThis": -2.0,
    "ResidentSleeper": -2.0, "DansGame": -2.2, "WutFace": -1.5, "SwiftRage": -2.0,
    "BabyRage": -1.6, "FailFish": -1.8, "SMOrc": -0.3, "Kippa": 0.0, "NotATK": -1.0,
    "monkaS": -1.4, "monkaW": -1.7, "monkaGIGA": -1.7, "monkaHmm": -0.4, "monkaSTEER": -0.8,
    "D:": -1.8, "WAYTOODANK": -0.8, "Madge": -2.0, "ReallyMad": -2.2, "pepeMeltdown": -2.0,
    "FeelsDankMan": 0.4, "Weirdge": -1.4, "DatSheffy": -0.5, "BrokeBack": -0.6,
    "OhMyDog": 0.8, "cmonBruh": -1.2, "TriDance": 1.5, "HotPokket": 0.5, "Copege": -1.2,
    "COPIUM": -1.4, "Copium": -1.4, "Aware": -0.5, "Stare": -0.6, "Deadge": -1.8,
    "Despairge": -2.4, "Sadeg": -2.2, "PepeHand": -2.2, "Hopeful": 1.2, "BatChest": 0.4,
}

# Emotes of surprise or plain reaction that carry little of a feeling either way stay neutral
# (listed so they are known tokens, not unknown ones).
_NEUTRAL_EMOTES = {
    "Kappa123": 0.0, "LaughTime": 0.0, "MrDestructoid": 0.0, "PunOko": -0.5, "WTRuck": 0.0,
    "HSWP": 0.0, "Hmm": 0.0, "HmmSwing": 0.0, "pepeThink": 0.0, "forsenCD": 0.0,
    "PauseChamp": 0.3, "Pepege": -0.4, "KKona": 0.3, "OpieOP": 0.3, "PJSugar": 0.3,
    "TPFufun": 0.3, "monkaOMEGA": -1.2, "gachiGASM": 1.0, "gachiBASS": 1.2, "ppHop": 0.8,
    "NaM": -0.2, "FeelsAmazingMan": 2.8, "nymnCorn": 0.2, "DxCat": 0.3, "OSFrog": 0.3,
}

# Emoticons typed as text (case matters for ":D" vs ":d").
_EMOTICONS = {
    ":)": 1.8, ":-)": 1.8, ":D": 2.3, ":-D": 2.3, "xD": 2.0, "XD": 2.0, ";)": 1.2, ":P": 1.2,
    ":p": 1.2, ":(": -1.9, ":-(": -1.9, "D:": -1.8, ":/": -1.0, ":|": -0.4, ":'(": -2.2,
    "</3": -2.2, ":O": 0.3, "o7": 1.0, "O7": 1.0,
}

EMOTE_VALENCES: dict[str, float] = {**_AMUSED, **_SAD, **_NEUTRAL_EMOTES, **_EMOTICONS}

# Chat slang, matched lower-cased after trimming punctuation. Where a word means something
# else in chat than in plain English, this wins over VADER ("sick", "insane", "kill", "dead"
# are praise or laughter more often than not in game chat).
SLANG_VALENCES: dict[str, float] = {
    # praise and hype
    "w": 2.0, "ww": 2.0, "www": 2.2, "dub": 1.8, "pog": 2.5, "poggers": 2.6, "pogchamp": 2.6,
    "poggies": 2.6, "pogu": 2.6, "based": 1.8, "goated": 2.5, "goat": 2.0, "clutch": 2.2,
    "insane": 1.6, "sick": 1.4, "nuts": 1.4, "cracked": 1.8, "clean": 1.5, "gg": 1.8,
    "ggs": 1.8, "ggwp": 2.0, "wp": 1.8, "nice": 2.0, "nicee": 2.0, "noice": 2.0, "gj": 1.8,
    "hype": 2.2, "lets": 0.3, "letsgo": 2.5, "lesgo": 2.5, "lfg": 2.5, "lessgo": 2.5,
    "ez": 0.8, "ezclap": 1.2, "pogg": 2.5, "fire": 1.6, "lit": 1.8, "banger": 2.4,
    "bussin": 2.0, "valid": 1.2, "huge": 1.4, "chad": 1.5, "gigachad": 1.8, "king": 1.8,
    "legend": 2.2, "ty": 1.6, "tyty": 1.8, "thx": 1.6, "tysm": 2.0, "ily": 2.6, "hi": 0.8,
    "hello": 0.8, "hey": 0.6, "welcome": 1.5, "gz": 1.8, "grats": 2.0, "congrats": 2.4,
    "congratz": 2.4, "pag": 2.2, "cute": 2.0, "wholesome": 2.4, "<3": 2.5, "xd": 2.0,
    # laughter typed as words
    "lol": 1.8, "lmao": 2.0, "lmfao": 2.2, "rofl": 2.0, "haha": 2.0, "hahaha": 2.2, "hah": 1.2,
    "kek": 1.9, "kekw": 2.3, "lul": 2.0, "lulw": 2.0, "omegalul": 2.3, "icant": 1.8,
    "dead": 0.5, "dying": 0.6, "hehe": 1.6, "xdd": 2.0, "jaja": 1.8,
    # criticism, failure, anger
    "l": -2.0, "ll": -2.0, "rip": -1.5, "f": -1.2, "trash": -2.5, "garbage": -2.5,
    "dogshit": -3.0, "shit": -1.8, "cringe": -2.2, "mald": -1.6, "malding": -1.6,
    "seethe": -1.6, "cope": -1.2, "copium": -1.4, "throw": -1.4, "throwing": -1.6,
    "threw": -1.6, "choke": -1.8, "choked": -1.8, "int": -1.6, "inting": -1.8, "feeder": -1.8,
    "feeding": -1.4, "noob": -1.4, "bot": -1.2, "bots": -1.2, "washed": -1.8, "fraud": -2.0,
    "ratio": -1.0, "yikes": -1.8, "oof": -1.2, "bruh": -0.8, "smh": -1.5, "boring": -2.0,
    "sadge": -2.2, "unlucky": -1.4, "unlucko": -1.4, "weirdchamp": -1.8, "ff": -1.2,
    "lag": -1.4, "laggy": -1.6, "scuffed": -1.4, "scam": -2.0, "rigged": -1.8,
    "wtf": -1.2, "omg": 0.4, "monkas": -1.4, "residentsleeper": -2.0, "notlikethis": -2.0,
    "ban": -1.2, "banned": -1.2, "toxic": -2.2, "racist": -2.8, "ugly": -2.2,
    "kys": -3.5, "stfu": -2.5, "idiot": -2.5, "dumb": -2.0, "stupid": -2.2, "retarded": -2.8,
    "nerd": -0.8, "loser": -2.2, "ratioed": -1.2, "wtff": -1.4, "fml": -2.0, "ew": -1.8,
    "eww": -2.0, "nooo": -1.4, "noo": -1.0, "sad": -2.1, "pepehands": -2.3,
    "biblethump": -2.0, "feelsbadman": -2.4, "feelsgoodman": 2.5,
}

# Words that turn the meaning of what follows (up to three tokens later). Chat drops
# apostrophes, so both spellings are listed.
NEGATIONS: frozenset[str] = frozenset({
    "not", "no", "never", "nothing", "nobody", "none", "neither", "nor", "without",
    "dont", "don't", "doesnt", "doesn't", "didnt", "didn't", "isnt", "isn't", "wasnt",
    "wasn't", "arent", "aren't", "werent", "weren't", "cant", "can't", "cannot", "couldnt",
    "couldn't", "wont", "won't", "wouldnt", "wouldn't", "shouldnt", "shouldn't", "aint",
    "ain't", "havent", "haven't", "hasnt", "hasn't", "hardly", "barely", "nah", "nope",
})
