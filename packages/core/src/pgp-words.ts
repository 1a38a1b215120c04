/**
 * The PGP word list (P. Juola and P. Zimmermann, 1995), used to read SHA-256 digests aloud at
 * ceremonies: a byte at an even position (0, 2, 4, …) is read with the two-syllable word, a byte at
 * an odd position with the three-syllable word, so a swapped or dropped byte is heard.
 * Source: stored public copies of the published list (Wikipedia's "PGP word list" page itself was not
 * in the stored material), compared word for word across three independent ones:
 * opentelecoms-org/zrtp-java src/zorg/ZrtpStrings.java (PGP_WORDS_EVEN / PGP_WORDS_ODD),
 * thblt/pgp-words (file pgp-words, byte-indexed pairs) and a vendored Kotlin copy (object PgpWordList)
 * that states it was cross-checked against messerli-informatik-ag/pgp-word-list. All three agree on
 * all 512 words and their order; the only difference is that thblt/pgp-words spells 0xFF odd as
 * "Yucatán" (with an accent), kept here as "Yucatan" like the other two. Capitalisation is as in the
 * sources. Some copies in circulation are corrupt (e.g. "basalt" instead of "banjo" at 0x17 even); do
 * not "fix" this table from them.
 *
 * Known pairs (byte: even / odd): 0x00 aardvark / adroitness, 0x09 Algol / applicant,
 * 0x0A allow / Apollo, 0x17 banjo / bookseller, 0x80 merit / intention, 0xFF Zulu / Yucatan.
 * Note the odd list is not strictly alphabetical at 0x09–0x0A (applicant, Apollo): that is the
 * published order, not a typo.
 * Checked: 256 entries in each array, no duplicates within or across the two arrays (even
 * case-insensitively); SHA-256 of PGP_WORDS_EVEN.join("\n") + "\n" + PGP_WORDS_ODD.join("\n") is
 * e9b7b0052233a74aa56724ed3f79c272036aed68d8f4c0856e833c8043b9ac62.
 */
// biome-ignore format: a byte-indexed table, eight words a line
export const PGP_WORDS_EVEN: readonly string[] = [
  "aardvark", "absurd", "accrue", "acme", "adrift", "adult", "afflict", "ahead", // 0x00–0x07
  "aimless", "Algol", "allow", "alone", "ammo", "ancient", "apple", "artist", // 0x08–0x0F
  "assume", "Athens", "atlas", "Aztec", "baboon", "backfield", "backward", "banjo", // 0x10–0x17
  "beaming", "bedlamp", "beehive", "beeswax", "befriend", "Belfast", "berserk", "billiard", // 0x18–0x1F
  "bison", "blackjack", "blockade", "blowtorch", "bluebird", "bombast", "bookshelf", "brackish", // 0x20–0x27
  "breadline", "breakup", "brickyard", "briefcase", "Burbank", "button", "buzzard", "cement", // 0x28–0x2F
  "chairlift", "chatter", "checkup", "chisel", "choking", "chopper", "Christmas", "clamshell", // 0x30–0x37
  "classic", "classroom", "cleanup", "clockwork", "cobra", "commence", "concert", "cowbell", // 0x38–0x3F
  "crackdown", "cranky", "crowfoot", "crucial", "crumpled", "crusade", "cubic", "dashboard", // 0x40–0x47
  "deadbolt", "deckhand", "dogsled", "dragnet", "drainage", "dreadful", "drifter", "dropper", // 0x48–0x4F
  "drumbeat", "drunken", "Dupont", "dwelling", "eating", "edict", "egghead", "eightball", // 0x50–0x57
  "endorse", "endow", "enlist", "erase", "escape", "exceed", "eyeglass", "eyetooth", // 0x58–0x5F
  "facial", "fallout", "flagpole", "flatfoot", "flytrap", "fracture", "framework", "freedom", // 0x60–0x67
  "frighten", "gazelle", "Geiger", "glitter", "glucose", "goggles", "goldfish", "gremlin", // 0x68–0x6F
  "guidance", "hamlet", "highchair", "hockey", "indoors", "indulge", "inverse", "involve", // 0x70–0x77
  "island", "jawbone", "keyboard", "kickoff", "kiwi", "klaxon", "locale", "lockup", // 0x78–0x7F
  "merit", "minnow", "miser", "Mohawk", "mural", "music", "necklace", "Neptune", // 0x80–0x87
  "newborn", "nightbird", "Oakland", "obtuse", "offload", "optic", "orca", "payday", // 0x88–0x8F
  "peachy", "pheasant", "physique", "playhouse", "Pluto", "preclude", "prefer", "preshrunk", // 0x90–0x97
  "printer", "prowler", "pupil", "puppy", "python", "quadrant", "quiver", "quota", // 0x98–0x9F
  "ragtime", "ratchet", "rebirth", "reform", "regain", "reindeer", "rematch", "repay", // 0xA0–0xA7
  "retouch", "revenge", "reward", "rhythm", "ribcage", "ringbolt", "robust", "rocker", // 0xA8–0xAF
  "ruffled", "sailboat", "sawdust", "scallion", "scenic", "scorecard", "Scotland", "seabird", // 0xB0–0xB7
  "select", "sentence", "shadow", "shamrock", "showgirl", "skullcap", "skydive", "slingshot", // 0xB8–0xBF
  "slowdown", "snapline", "snapshot", "snowcap", "snowslide", "solo", "southward", "soybean", // 0xC0–0xC7
  "spaniel", "spearhead", "spellbind", "spheroid", "spigot", "spindle", "spyglass", "stagehand", // 0xC8–0xCF
  "stagnate", "stairway", "standard", "stapler", "steamship", "sterling", "stockman", "stopwatch", // 0xD0–0xD7
  "stormy", "sugar", "surmount", "suspense", "sweatband", "swelter", "tactics", "talon", // 0xD8–0xDF
  "tapeworm", "tempest", "tiger", "tissue", "tonic", "topmost", "tracker", "transit", // 0xE0–0xE7
  "trauma", "treadmill", "Trojan", "trouble", "tumor", "tunnel", "tycoon", "uncut", // 0xE8–0xEF
  "unearth", "unwind", "uproot", "upset", "upshot", "vapor", "village", "virus", // 0xF0–0xF7
  "Vulcan", "waffle", "wallet", "watchword", "wayside", "willow", "woodlark", "Zulu", // 0xF8–0xFF
];

// biome-ignore format: a byte-indexed table, eight words a line
export const PGP_WORDS_ODD: readonly string[] = [
  "adroitness", "adviser", "aftermath", "aggregate", "alkali", "almighty", "amulet", "amusement", // 0x00–0x07
  "antenna", "applicant", "Apollo", "armistice", "article", "asteroid", "Atlantic", "atmosphere", // 0x08–0x0F
  "autopsy", "Babylon", "backwater", "barbecue", "belowground", "bifocals", "bodyguard", "bookseller", // 0x10–0x17
  "borderline", "bottomless", "Bradbury", "bravado", "Brazilian", "breakaway", "Burlington", "businessman", // 0x18–0x1F
  "butterfat", "Camelot", "candidate", "cannonball", "Capricorn", "caravan", "caretaker", "celebrate", // 0x20–0x27
  "cellulose", "certify", "chambermaid", "Cherokee", "Chicago", "clergyman", "coherence", "combustion", // 0x28–0x2F
  "commando", "company", "component", "concurrent", "confidence", "conformist", "congregate", "consensus", // 0x30–0x37
  "consulting", "corporate", "corrosion", "councilman", "crossover", "crucifix", "cumbersome", "customer", // 0x38–0x3F
  "Dakota", "decadence", "December", "decimal", "designing", "detector", "detergent", "determine", // 0x40–0x47
  "dictator", "dinosaur", "direction", "disable", "disbelief", "disruptive", "distortion", "document", // 0x48–0x4F
  "embezzle", "enchanting", "enrollment", "enterprise", "equation", "equipment", "escapade", "Eskimo", // 0x50–0x57
  "everyday", "examine", "existence", "exodus", "fascinate", "filament", "finicky", "forever", // 0x58–0x5F
  "fortitude", "frequency", "gadgetry", "Galveston", "getaway", "glossary", "gossamer", "graduate", // 0x60–0x67
  "gravity", "guitarist", "hamburger", "Hamilton", "handiwork", "hazardous", "headwaters", "hemisphere", // 0x68–0x6F
  "hesitate", "hideaway", "holiness", "hurricane", "hydraulic", "impartial", "impetus", "inception", // 0x70–0x77
  "indigo", "inertia", "infancy", "inferno", "informant", "insincere", "insurgent", "integrate", // 0x78–0x7F
  "intention", "inventive", "Istanbul", "Jamaica", "Jupiter", "leprosy", "letterhead", "liberty", // 0x80–0x87
  "maritime", "matchmaker", "maverick", "Medusa", "megaton", "microscope", "microwave", "midsummer", // 0x88–0x8F
  "millionaire", "miracle", "misnomer", "molasses", "molecule", "Montana", "monument", "mosquito", // 0x90–0x97
  "narrative", "nebula", "newsletter", "Norwegian", "October", "Ohio", "onlooker", "opulent", // 0x98–0x9F
  "Orlando", "outfielder", "Pacific", "pandemic", "Pandora", "paperweight", "paragon", "paragraph", // 0xA0–0xA7
  "paramount", "passenger", "pedigree", "Pegasus", "penetrate", "perceptive", "performance", "pharmacy", // 0xA8–0xAF
  "phonetic", "photograph", "pioneer", "pocketful", "politeness", "positive", "potato", "processor", // 0xB0–0xB7
  "provincial", "proximate", "puberty", "publisher", "pyramid", "quantity", "racketeer", "rebellion", // 0xB8–0xBF
  "recipe", "recover", "repellent", "replica", "reproduce", "resistor", "responsive", "retraction", // 0xC0–0xC7
  "retrieval", "retrospect", "revenue", "revival", "revolver", "sandalwood", "sardonic", "Saturday", // 0xC8–0xCF
  "savagery", "scavenger", "sensation", "sociable", "souvenir", "specialist", "speculate", "stethoscope", // 0xD0–0xD7
  "stupendous", "supportive", "surrender", "suspicious", "sympathy", "tambourine", "telephone", "therapist", // 0xD8–0xDF
  "tobacco", "tolerance", "tomorrow", "torpedo", "tradition", "travesty", "trombonist", "truncated", // 0xE0–0xE7
  "typewriter", "ultimate", "undaunted", "underfoot", "unicorn", "unify", "universe", "unravel", // 0xE8–0xEF
  "upcoming", "vacancy", "vagabond", "vertigo", "Virginia", "visitor", "vocalist", "voyager", // 0xF0–0xF7
  "warranty", "Waterloo", "whimsical", "Wichita", "Wilmington", "Wyoming", "yesteryear", "Yucatan", // 0xF8–0xFF
];
