"""Text material for the synthetic demo-traffic generator.

Everything here was written for careline: the shop, its products, the couriers and the
people are fictional. Templates use ``str.format`` slots (``{product}``, ``{order}`` ...)
that :mod:`careline.demo.generator` fills in.

Phone numbers come from Ofcom's ranges reserved for drama (they can never ring anyone),
card numbers are generated to pass the Luhn check, links point at made-up hosts.
"""

from __future__ import annotations

# Data, laid out by hand so that word lists stay compact.
# fmt: off

# --------------------------------------------------------------------------- people

FIRST_NAMES: tuple[str, ...] = (
    "Amelia", "Olivia", "Isla", "Ava", "Mia", "Grace", "Sophie", "Chloe", "Emily", "Lucy",
    "Hannah", "Ellie", "Jessica", "Ruby", "Freya", "Poppy", "Evie", "Megan", "Charlotte",
    "Rachel", "Laura", "Sarah", "Emma", "Claire", "Nicola", "Gemma", "Kirsty", "Aisling",
    "Siobhan", "Niamh", "Catrin", "Ffion", "Mairi", "Eilidh", "Priya", "Anjali", "Aisha",
    "Fatima", "Zainab", "Amara", "Chiamaka", "Yasmin", "Leila", "Mei", "Hana", "Sana",
    "Agnieszka", "Zofia", "Ioana", "Elena", "Lucia", "Marta", "Ines", "Beatriz", "Noor",
    "Oliver", "Jack", "Harry", "George", "Noah", "Charlie", "Jacob", "Alfie", "Freddie",
    "Oscar", "Thomas", "James", "Daniel", "Matthew", "Ryan", "Liam", "Callum", "Ewan",
    "Fraser", "Rhys", "Dylan", "Owen", "Cian", "Conor", "Declan", "Arjun", "Rohan", "Vikram",
    "Imran", "Bilal", "Omar", "Yusuf", "Hamza", "Tariq", "Kwame", "Tunde", "Chidi", "Kofi",
    "Wei", "Jun", "Kenji", "Minh", "Tomasz", "Piotr", "Andrei", "Mateo", "Luca", "Marco",
    "Diego", "Rafael", "Sam", "Alex", "Jordan", "Jamie", "Robin", "Morgan", "Kai", "Ash",
    "Bev", "Sue", "Pauline", "Maureen", "Graham", "Keith", "Trevor", "Nigel", "Derek",
)

SURNAMES: tuple[str, ...] = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Thomas", "Roberts",
    "Walker", "Wright", "Robinson", "Thompson", "White", "Hughes", "Edwards", "Green",
    "Hall", "Wood", "Harris", "Lewis", "Martin", "Jackson", "Clarke", "Clark", "Turner",
    "Hill", "Scott", "Cooper", "Morris", "Ward", "Moore", "King", "Watson", "Baker",
    "Harrison", "Morgan", "Patel", "Young", "Allen", "Mitchell", "James", "Anderson",
    "Phillips", "Lee", "Bell", "Parker", "Davies", "Price", "Bennett", "Griffiths", "Lloyd",
    "Pritchard", "Macdonald", "Campbell", "Stewart", "Murray", "Fraser", "Maclean",
    "Kerr", "Reid", "Murphy", "Kelly", "O'Brien", "Byrne", "Ryan", "Walsh", "Doyle",
    "Quinn", "Khan", "Ahmed", "Hussain", "Ali", "Shah", "Begum", "Chowdhury", "Singh",
    "Kaur", "Sharma", "Gupta", "Mistry", "Okafor", "Adeyemi", "Mensah", "Owusu", "Asante",
    "Nwosu", "Chen", "Wang", "Li", "Nguyen", "Tran", "Kim", "Tanaka", "Kowalski", "Nowak",
    "Wisniewska", "Popescu", "Ionescu", "Rossi", "Russo", "Ferreira", "Silva", "Santos",
    "Garcia", "Lopez", "Fernandez", "Haddad", "Farouk", "Abbott", "Fletcher", "Holloway",
    "Pemberton", "Ashworth", "Blackwood", "Fairweather", "Hargreaves", "Whitfield",
)

# Words people put in their handles.
HANDLE_WORDS: tuple[str, ...] = (
    "home", "cosy", "nest", "interiors", "mum", "dad", "life", "reads", "bakes", "runs",
    "plants", "style", "makes", "vibes", "official", "uk", "ldn", "north", "coffee",
    "gardens", "design", "diy", "creates", "travels", "x", "xo", "real", "its", "the",
)

NAME_DECORATIONS: tuple[str, ...] = (
    " 🌿", " 🌻", " ✨", " 🏡", " 🐾", " ☕", " 🌸", " 🏴", " 💚", " 📚", " 🧶", " 🌈",
)

SPAM_NAMES: tuple[str, ...] = (
    "Crypto Signals Daily", "BTC Gains 🚀", "Emma | Forex Mentor", "Get Followers Fast",
    "Home Deals UK 🔥", "Giveaway Alerts", "Larkspur Rewards Centre", "Wealth With Jade",
    "Daily Voucher Drops", "Insta Growth Pro", "Coin Whale Alerts", "Luxe Outlet Deals",
    "Passive Income Tips", "Promo Codes 4 U", "Mark | Trading Coach", "Verified Boost",
)

SPAM_HANDLE_WORDS: tuple[str, ...] = (
    "crypto", "btc", "forex", "gains", "signals", "wealth", "boost", "followers", "promo",
    "deals", "voucher", "giveaway", "rewards", "coin", "trader", "growth", "cash", "luxe",
)

STAFF_NAMES: tuple[str, ...] = (
    "Priya", "Tom", "Aisha", "Gareth", "Sian", "Callum", "Jade", "Marcus", "Beth",
    "Nadia", "Ollie", "Fiona", "Kemi", "Dan", "Holly", "Ravi", "Chloe", "Stu",
)

# --------------------------------------------------------------------------- catalogue

# (full name, what people usually call it)
PRODUCTS: tuple[tuple[str, str], ...] = (
    ("Hollis oak side table", "side table"),
    ("Marlow linen duvet cover", "duvet cover"),
    ("Wren stoneware mug set", "mug set"),
    ("Bramble velvet cushion", "cushion"),
    ("Juniper scented candle", "candle"),
    ("Saltmarsh towel bundle", "towel bundle"),
    ("Linden rattan laundry basket", "laundry basket"),
    ("Harrow cast iron casserole", "casserole dish"),
    ("Orla glass vase", "vase"),
    ("Tamsin blackout blind", "blind"),
    ("Quill bamboo chopping board", "chopping board"),
    ("Ashby round wall mirror", "mirror"),
    ("Elder wool throw", "throw"),
    ("Caddis jute rug", "rug"),
    ("Fennel ceramic planter", "planter"),
    ("Thornbury 12-piece dinner set", "dinner set"),
    ("Pebble cotton bath mat", "bath mat"),
    ("Marlow fitted sheet", "fitted sheet"),
    ("Hollis oak bookcase", "bookcase"),
    ("Bramble footstool", "footstool"),
    ("Orla wine glass set", "set of wine glasses"),
    ("Linden storage basket", "storage basket"),
    ("Ashby coat rack", "coat rack"),
    ("Juniper reed diffuser", "diffuser"),
    ("Harrow 3-piece pan set", "pan set"),
    ("Caddis coir doormat", "doormat"),
    ("Tamsin linen lampshade", "lampshade"),
    ("Fennel knife block", "knife block"),
    ("Saltmarsh waffle robe", "robe"),
    ("Wren salad bowl", "salad bowl"),
    ("Thornbury cutlery set", "cutlery set"),
    ("Pebble shower curtain", "shower curtain"),
    ("Elder feather pillow", "pillow"),
    ("Hollis nest of tables", "nest of tables"),
    ("Marlow mattress topper", "mattress topper"),
)

ELECTRICALS: tuple[tuple[str, str], ...] = (
    ("Aldgate 1.7L kettle", "kettle"),
    ("Beacon 2-slice toaster", "toaster"),
    ("Ember heated throw", "heated throw"),
    ("Halden table lamp", "lamp"),
    ("Lumen LED string light", "string light"),
    ("Corrie desk lamp", "desk lamp"),
    ("Vale coffee grinder", "coffee grinder"),
    ("Tolan hand blender", "hand blender"),
    ("Ember electric blanket", "electric blanket"),
    ("Halden floor lamp", "floor lamp"),
)

GLASS_ITEMS: tuple[str, ...] = (
    "glass teapot", "glass cafetière", "candle jar", "Orla vase", "glass storage jar",
)

SIZED_ITEMS: tuple[str, ...] = (
    "Marlow duvet cover", "Caddis rug", "Marlow fitted sheet", "Bramble velvet cushion",
    "Elder throw", "Saltmarsh bath sheet", "mattress topper", "Saltmarsh robe",
)

BEDDING: tuple[str, ...] = (
    "Marlow duvet cover", "Marlow fitted sheet", "linen duvet cover", "mattress topper",
    "Elder pillowcase set", "Marlow flat sheet", "fitted sheet",
)

TEXTILES: tuple[str, ...] = (
    "Marlow duvet cover", "Bramble velvet cushion", "towel bundle", "Elder wool throw",
    "Pebble bath mat", "fitted sheet", "Saltmarsh waffle robe", "cushion cover",
    "Tamsin blackout blind", "Elder feather pillow",
)

FURNITURE: tuple[str, ...] = (
    "Hollis oak side table", "Hollis oak bookcase", "Bramble footstool", "Ashby coat rack",
    "Hollis nest of tables", "side table", "bookcase", "footstool", "console table",
)

KITCHENWARE: tuple[str, ...] = (
    "Wren stoneware mug", "Harrow casserole dish", "Thornbury dinner plate", "Wren salad bowl",
    "Harrow frying pan", "mug", "casserole dish", "teapot", "serving bowl",
)

DELIVERY_FEES: tuple[str, ...] = ("£4.99", "£5.95", "£6.99", "£7.50", "£9.99", "£12")

SIZES: tuple[str, ...] = ("single", "double", "king", "super king", "small double")

RUG_SIZES: tuple[str, ...] = ("120x170", "160x230", "200x290", "80x150", "60x200 runner")

CURTAIN_DROPS: tuple[str, ...] = ("137cm", "183cm", "229cm", "54 inch", "72 inch", "90 inch")

COLOURS: tuple[str, ...] = (
    "sage", "oat", "charcoal", "terracotta", "navy", "blush", "mustard", "ivory",
    "forest green", "dove grey", "rust", "duck egg", "ochre", "natural", "black",
)

COURIERS: tuple[str, ...] = (
    "Swiftpost", "ParcelPoint", "Northway", "the courier", "Hopdrop", "Fleetline",
    "your courier", "ExpressLine", "the driver",
)

CITIES: tuple[str, ...] = (
    "Leeds", "Bristol", "Glasgow", "Cardiff", "Norwich", "Sheffield", "Brighton", "Belfast",
    "Manchester", "Leicester", "Exeter", "York", "Aberdeen", "Nottingham", "Plymouth",
    "Swansea", "Hull", "Derby", "Newcastle", "Southampton", "Dundee", "Bath", "Coventry",
    "Milton Keynes", "Preston", "Stoke", "Reading", "Inverness", "Carlisle", "Wolverhampton",
)

COUNTRIES: tuple[str, ...] = (
    "Ireland", "France", "Germany", "the Netherlands", "Spain", "Jersey", "Guernsey",
    "the US", "Norway", "Belgium", "the Isle of Man", "Northern Ireland", "Italy",
)

DAYS: tuple[str, ...] = (
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
    "last Monday", "last Tuesday", "last Wednesday", "last Thursday", "last Friday",
    "the weekend", "Black Friday", "payday",
)

DISCOUNT_CODES: tuple[str, ...] = ("WELCOME10", "SPRING15", "HOME20", "FREEDEL", "NEST25")

# --------------------------------------------------------------------------- complaints

COMPLAINT_TOPICS: tuple[str, ...] = (
    "late_delivery", "wrong_item", "refund_missing", "defective", "product_safety",
    "double_charge", "account_login",
)

# Relative frequency of each complaint topic outside the spike.
COMPLAINT_TOPIC_WEIGHTS: tuple[float, ...] = (0.28, 0.14, 0.16, 0.14, 0.05, 0.11, 0.12)

COMPLAINTS: dict[str, tuple[str, ...]] = {
    "late_delivery": (
        "ordered the {product} on {day}, was promised delivery in {n_days} days and still "
        "nothing",
        "where is my order {order}? tracking hasn't moved since {day}",
        "{courier} says my parcel is 'at the {city} depot' for the {nth} day running. "
        "order {order}",
        "paid {fee} for next day delivery. that was {n_days} days ago",
        "my {product} was supposed to arrive {day}. took the day off work for it. nothing",
        "tracking says delivered. it was not delivered. no parcel, no card, nothing. {order}",
        "it's been {n_weeks} weeks since I ordered. {order}. where is my stuff",
        "order {order} still 'processing' after {n_days} days, is anyone packing these?",
        "delivery slot was 8am to 6pm today. it's now 9pm. no {product}, no email, no update",
        "{courier} left my parcel 'in a safe place'. there is no safe place. there is no "
        "parcel",
        "ordered {a_product} as a present, the birthday was {day}, still waiting",
        "third time chasing {order}. the {product} was meant to be here last week",
        "Hi, my order {order} was due {day} and has not arrived. Can you tell me where it is?",
        "tracking just says 'delayed' with no reason. {order}. any idea when the {product} "
        "will turn up?",
        "I've had 4 different delivery dates for the same {product}",
        "parcel went from {city} to {city2} and back again. {n_days} days and counting",
        "moved house specially on the day you said. no delivery. {order}",
    ),
    "wrong_item": (
        "ordered the {product}, received {a_product2}. order {order}",
        "opened my parcel and it's someone else's order. I wanted {a_product}, got "
        "{a_product2}",
        "asked for the {colour} one, got {colour2}. again.",
        "the box says {product} but inside is {a_product2}?? {order}",
        "ordered a {size} duvet cover and got a single. doesn't fit anything in my house",
        "only half my order arrived. {product} missing, rest is there. {order}",
        "sent back the wrong item like you asked and you've sent me ANOTHER wrong item",
        "ordered 4 of the {product}, got 1. charged for 4 obviously",
        "received {a_product2} with someone else's name and address on the slip. that's a "
        "data breach too isn't it",
        "the {product} that came is completely different from the photos, wrong colour and "
        "half the size",
        "Hello, I ordered the {colour} {product} ({order}) but received {colour2}. Please "
        "advise.",
    ),
    "refund_missing": (
        "returned the {product} {n_weeks} weeks ago and still no refund. {amount} is a lot "
        "to just wait for",
        "your site says refund processed on {day}. my bank says nothing arrived. {order}",
        "how long does a refund take?? tracking shows you got my return {n_days} days ago",
        "still waiting on my {amount} refund for {order}. every chat says 3-5 working days",
        "cancelled order {order} within an hour, money still not back {n_days} days later",
        "was promised a refund for the broken {product} on {day}. nothing. not a penny",
        "you took {amount} instantly, funny how giving it back takes {n_weeks} weeks",
        "Hi, I returned {order} on {day} and haven't had the refund of {amount} yet. Could "
        "you check please?",
        "refund was meant to go back to my card, instead I got a gift card. I didn't ask "
        "for a gift card",
        "partial refund of {amount2} for a {amount} item?? where's the rest",
    ),
    "defective": (
        "the {product} arrived cracked right down the middle. {order}",
        "opened the box and the {product} was in pieces. packaging was basically a paper bag",
        "used the {product} twice and it's already falling apart",
        "{product} arrived with a huge scratch across the top. not cheap for something "
        "damaged",
        "handle came off the {kitchen} the first time I used it",
        "the {product} smells really strongly of chemicals, can't have it in the house",
        "legs on the {furniture} don't line up, it wobbles like mad. screws missing too",
        "colour ran from the {textile} and stained everything else in the wash",
        "the {kitchen} has a massive chip in it. third one I've had like this",
        "zip on the {textile} broke on day one",
        "bought the {textile} {n_weeks} weeks ago for {amount} and it's already bobbling",
    ),
    "product_safety": (
        "the {electrical} sparked when I switched it on. could have started a fire. {order}",
        "my {electrical} started smoking after 10 minutes. I have kids in the house",
        "the plug on the {electrical} got so hot it melted a bit. this is dangerous",
        "{electrical} tripped the whole house and there's a burning smell. is it being "
        "recalled??",
        "the {glass_item} shattered when I poured hot water in. cut my hand",
        "candle jar cracked while the candle was lit, wax everywhere and nearly caught the "
        "shelf",
        "the {electrical} gave me a small shock when I touched the metal bit. stopped using "
        "it",
        "the kettle sparked and the lights went out. the {electrical} is going straight in "
        "the bin",
        "cable on the {electrical} is scorched near the plug after a week. is this safe??",
        "my daughter's {electrical} got hot enough to leave a burn mark on the bedding",
    ),
    "double_charge": (
        "I've been charged twice for order {order}. {amount} taken two times",
        "checkout charged my card twice for the same {product}. please refund one of them",
        "got two payments of {amount} on my statement and only one order",
        "payment 'failed', tried again, now both went through. {amount} x2",
        "why have I been billed {amount} twice? order {order}",
        "double charged AGAIN. second time this year",
        "my bank shows 2 pending payments of {amount} and I only placed one order",
        "Hello, I appear to have been charged twice for {order}. Please refund the "
        "duplicate payment of {amount}.",
        "charged {amount} for an order that was cancelled AND charged again for the "
        "replacement",
    ),
    "account_login": (
        "can't log into my account, password reset email never arrives",
        "my account has been locked and nobody will tell me why",
        "app keeps logging me out every time I get to checkout",
        "tried to reset my password 5 times. no email. checked spam. nothing",
        "it says my email isn't registered but I've ordered from you {n_times} times",
        "someone changed the email on my account and I can't get in. I didn't do that",
        "verification code never comes through to my phone, can't see my orders",
        "login page just spins forever on the app. tried on wifi and 4g",
        "can't check out because it keeps saying 'session expired'",
        "my saved addresses have all vanished from my account and I can't edit anything",
    ),
}

SARCASTIC: dict[str, tuple[str, ...]] = {
    "late_delivery": (
        "great job losing my parcel again",
        "love paying for next day delivery and getting next week delivery. so innovative",
        "my {product} has now visited {city} twice. more travel than I've had this year",
        "tracking has said 'out for delivery' since {day}. must be the scenic route",
        "wow, {n_days} days for {a_product}. was it carried here by snail?",
        "thanks for the daily 'your order is on its way' emails. it is not on its way",
    ),
    "wrong_item": (
        "love a surprise. ordered {a_product}, got {a_product2}. what a fun game",
        "10/10 lucky dip service. ordered {a_product}, won {a_product2}",
        "lovely {product}. shame I ordered the {product2}",
    ),
    "refund_missing": (
        "refund update: still imaginary",
        "day {n_days} of waiting for my {amount}. maybe it's coming with last month's parcel",
        "amazing how fast you take money and how slow you give it back",
    ),
    "defective": (
        "love my new 'pre-distressed' {product}. didn't know cracks were a feature",
        "quality control must have been on holiday when they packed my {product}",
        "really enjoying my {product} jigsaw puzzle. oh wait, it was meant to be in one "
        "piece",
    ),
    "product_safety": (
        "didn't realise the {electrical} came with a free firework display",
        "nothing says cosy home like your {electrical} smoking on the counter",
    ),
    "double_charge": (
        "thanks for charging me twice, really helping with the cost of living",
        "buy one, get charged twice. is that the new offer?",
    ),
    "account_login": (
        "love being locked out of my own account. very secure. too secure",
        "5 password resets and counting. my new hobby apparently",
    ),
}

# Spike: the checkout charged many customers twice within a few hours.
SPIKE_TEMPLATES: tuple[str, ...] = (
    "your checkout just charged me twice!! {amount} and then {amount} again",
    "just tried to pay, got an error, then TWO payments came out. what is going on",
    "anyone else been charged twice in the last hour?? {amount} x2",
    "checkout is broken and taking double payments. fix it before more people get hit",
    "got a payment error at checkout, tried again, now charged twice. order {order}",
    "charged twice at checkout and your site still says my order failed",
    "is the payment system down? 2 payments of {amount}, no confirmation email",
    "just been charged {amount} twice for one order. now I'm overdrawn. brilliant",
    "double charged just now, please sort it, that's my food shop money",
    "checkout froze, I refreshed, and now my bank app shows {amount} taken twice",
    "CHARGED TWICE. {order}. please tell me this is being fixed",
    "my card was charged twice at checkout a few minutes ago, is this a known problem?",
    "payment went through twice on the app just now. {amount} each. refund please",
)

SPIKE_PILE_ONS: tuple[str, ...] = (
    "same!! charged twice just now",
    "me too, two payments of {amount}",
    "same here, literally 10 minutes ago",
    "happening to me as well, don't try to check out people",
    "yep, double charged too. no order confirmation either",
    "same thing. bank shows {amount} twice",
    "+1 charged twice, this is a mess",
    "glad it's not just me, 2x {amount} gone",
)

ANGRY_ADDONS: tuple[str, ...] = (
    "absolutely fuming", "this is ridiculous", "sort it out!!", "so angry right now",
    "unacceptable.", "beyond a joke now", "joke of a company", "I'm livid", "disgraceful",
    "seriously??", "what a shambles",
)

CHURN_ADDONS: tuple[str, ...] = (
    "never ordering from you again", "that's the last time I shop here",
    "closing my account", "going elsewhere from now on",
    "{n_years} years a customer and this is how you treat me",
    "telling everyone I know to avoid you", "won't be back",
)

LEGAL_ADDONS: tuple[str, ...] = (
    "taking this to small claims if it isn't sorted by {day}",
    "I'll be contacting Trading Standards", "raising a chargeback with my bank",
    "my solicitor will be in touch", "reporting this to Citizens Advice",
    "I know my consumer rights and you're breaking them",
)

ASK_ADDONS: tuple[str, ...] = (
    "can someone actually help?", "please DM me", "can you look into this please",
    "I want a refund", "what are you going to do about it?", "please reply, emails get "
    "ignored", "who do I speak to?", "please help", "can I get an answer today?",
)

POLITE_OPENERS: tuple[str, ...] = (
    "Hi,", "Hello,", "Hi team,", "Morning,", "Hi there,", "Evening,", "Hiya,",
)

# Same author, later in the same thread.
FOLLOWUPS: tuple[str, ...] = (
    "still nothing, day {day_n}",
    "update: still nothing. {elapsed} since I posted this",
    "{elapsed} later and not a single reply",
    "any update? {order}",
    "hello?? anyone there?",
    "been on hold for {minutes} minutes now as well",
    "sent a DM too, no answer",
    "chased again today, got a copy and paste reply",
    "still waiting. this is getting silly",
    "emailed twice, DM'd, now posting publicly. please sort this",
    "{elapsed} and counting",
    "nobody has even acknowledged this",
    "so is anyone going to reply or",
)

TOPIC_FOLLOWUPS: dict[str, tuple[str, ...]] = {
    "late_delivery": (
        "tracking now says it's going back to the depot. brilliant",
        "{courier} now say {day}. we'll see",
        "still no parcel, day {day_n}",
    ),
    "wrong_item": (
        "the courier came to collect the wrong item and didn't take it",
        "still got {a_product2} in my hallway that I didn't order",
    ),
    "refund_missing": (
        "still no refund, bank says nothing is pending",
        "day {day_n} of waiting for {amount}",
    ),
    "defective": (
        "sent the photos as asked, heard nothing since",
        "replacement just arrived. also broken.",
    ),
    "product_safety": (
        "the {electrical} is sitting unplugged in the garage. what do I do with it?",
        "has anyone from your safety team actually read this?",
    ),
    "double_charge": (
        "bank says both payments have gone through now, not pending",
        "still charged twice. {amount} I can't afford to lose",
    ),
    "account_login": (
        "still locked out, can't even see my order history",
        "tried again today, still no reset email",
    ),
}

# Same customer, later in the same direct-message conversation.
DM_FOLLOWUPS: tuple[str, ...] = (
    "hi, any update on the above?",
    "hello? it's been {elapsed}",
    "can you just tell me when it's coming",
    "still waiting for a reply to this",
    "sorry to chase, any news?",
    "hello??",
    "this is the {nth} message I've sent",
    "I can see you've read this. please answer",
    "any news on order {order}?",
    "just checking you got my message",
)

# Optional lead-ins for messages that share private data.
PRIVATE_LEADS: tuple[str, ...] = (
    "", "", "", "Hi, ", "still waiting on my refund. ", "re order {order}: ",
    "sorry, forgot to say - ", "to speed things up, ",
)

# Somebody else, piling on.
PILE_ONS: tuple[str, ...] = (
    "same here!",
    "same!!",
    "glad it's not just me",
    "same thing happened to me last week",
    "+1, exactly the same problem",
    "this happened to me too",
    "omg same",
    "me too, it's been a nightmare",
    "yep. same.",
    "you're not alone, I've been going round in circles for days",
)

TOPIC_PILE_ONS: dict[str, tuple[str, ...]] = {
    "late_delivery": (
        "same, ordered on {day} and nothing",
        "same here, mine's been stuck at the {city} depot too",
        "mine's been 'out for delivery' for {n_days} days",
    ),
    "wrong_item": (
        "got someone else's order too, what is going on in your warehouse",
        "same, ordered {a_product} and got {a_product2}",
    ),
    "refund_missing": (
        "also waiting on a refund, {n_weeks} weeks now",
        "same, {amount} still missing",
    ),
    "defective": (
        "mine arrived broken too",
        "same with my {product}, cracked out of the box",
    ),
    "product_safety": (
        "mine did exactly the same thing!! unplugged it straight away",
        "ours sparked as well. someone's going to get hurt",
    ),
    "double_charge": SPIKE_PILE_ONS,
    "account_login": (
        "can't log in either",
        "same, no reset email for me too",
    ),
}

# --------------------------------------------------------------------------- questions

QUESTIONS: dict[str, tuple[str, ...]] = {
    "sizing": (
        "is the {sized} true to size?",
        "does the Caddis rug come in {rug_size}?",
        "what's the drop on the Tamsin curtains? need {drop}",
        "is your king size a UK king or a European king?",
        "will the fitted sheet fit a 30cm deep mattress?",
        "what size is the {size} {bedding} exactly? in cm please",
        "does the {bedding} come in {size}?",
        "is the Saltmarsh robe generous or should I size down?",
    ),
    "delivery_options": (
        "do you deliver to {country}?",
        "how much is next day delivery?",
        "if I order today will it arrive by {day}?",
        "do you deliver on weekends?",
        "can I choose a delivery day? I'm out at work all week",
        "do you ship big furniture like the bookcase to {country}?",
        "is delivery free over a certain amount?",
    ),
    "stock": (
        "when is the {product} back in stock?",
        "will the {product} be restocked in {colour}?",
        "is the {colour} {product} discontinued? can't find it anymore",
        "any chance the {product} is coming back before Christmas?",
        "website says 'low stock' on the {product}, how low is low?",
    ),
    "order_status": (
        "could you check on order {order}? no rush, just wondering when to expect it",
        "has my order {order} been dispatched yet?",
        "placed order {order} on {day}, is there a tracking number?",
        "how do I track my order? can't find the link",
    ),
    "returns": (
        "how long do I have to return the {product}?",
        "do I need the original box to send something back?",
        "can I return {a_product} I got as a gift?",
        "is return postage free or do I pay?",
        "I've lost the returns slip for {order}, can I still send it back?",
    ),
    "product_info": (
        "is the Wren mug set dishwasher safe?",
        "can the linen duvet cover go in the tumble dryer?",
        "what wattage is the Aldgate kettle?",
        "is the Hollis side table solid oak or veneer?",
        "is the {product} suitable for outdoors?",
        "what are the {product} made of?",
        "does the {electrical} come with a UK plug?",
        "is the Juniper candle vegan?",
    ),
    "discount": (
        "do you do student discount?",
        "is the code {code} still valid? it says expired",
        "any discount for NHS staff?",
        "when's your next sale?",
        "can I use two discount codes on one order?",
    ),
    "cancel_order": (
        "can I cancel order {order}? ordered the wrong size",
        "please cancel {order}, I placed it twice by accident",
        "I need to cancel my order ASAP before it ships. {order}",
    ),
    "change_address": (
        "I need to change the delivery address on {order}, I moved to {city} last week",
        "can you update the address on order {order}? typo in the postcode",
    ),
    "invoice": (
        "can I get a VAT invoice for order {order}?",
        "where can I download a receipt for {order}? need it for work",
    ),
}

QUESTION_FOLLOWUPS: tuple[str, ...] = (
    "bump", "anyone?", "still hoping for an answer on this", "asked {elapsed} ago, any chance "
    "of a reply?", "hello? bit of a simple question", "any update on this one?",
)

QUESTION_PILE_ONS: tuple[str, ...] = (
    "also want to know this", "+1, wondering the same", "following", "good question, same "
    "here", "would love to know too", "commenting so I see the answer",
)

# --------------------------------------------------------------------------- compliments

COMPLIMENTS: dict[str, tuple[str, ...]] = {
    "fast_delivery": (
        "ordered on {day} night, arrived the next morning. impressed!",
        "super quick delivery, thank you",
        "{product} arrived in {n_days} days, beautifully packed",
        "Delivery driver was lovely and the {product} came a day early. Thanks!",
        "fastest delivery I've ever had from an online shop, well done",
    ),
    "product_quality": (
        "obsessed with my new {product}",
        "the {product} is even nicer in person",
        "bought the {product} {n_years} years ago and it still looks new",
        "the {colour} {product} is perfect, exactly like the photos",
        "honestly the best {product} I've ever owned",
        "can't stop looking at my new {product}",
    ),
    "helpful_staff": (
        "huge thanks to {staff} from your care team, sorted my return in 5 minutes",
        "{staff} on live chat was so helpful today, thank you",
        "shoutout to {staff} who replaced my broken {product} with no fuss",
        "really appreciate how quickly you sorted my problem, {staff} was great",
    ),
    "packaging": (
        "love that everything came in paper, zero plastic",
        "the packaging on my {product} was so nice I kept the box",
    ),
    "general": (
        "best homeware shop online, no contest",
        "never had a bad order from you",
        "my whole living room is from you now and I regret nothing",
        "just want to say thank you, great service as always",
    ),
}

COMPLIMENT_AGREE: tuple[str, ...] = (
    "agreed!", "can confirm, mine is gorgeous", "same experience, really impressed",
    "love mine too", "this! so good", "bought one after seeing this and no regrets",
)

COMPLIMENT_RESOLVED: tuple[str, ...] = (
    "update: all sorted, thanks {staff}!",
    "finally arrived, thanks for chasing it",
    "refund came through today, thank you",
    "replacement arrived and it's perfect, thanks team",
    "ok fair play, sorted within the hour once someone picked it up",
    "all good now, thanks for getting back to me",
)

# --------------------------------------------------------------------------- suggestions

SUGGESTIONS: dict[str, tuple[str, ...]] = {
    "product": (
        "please do the {product} in {colour}!",
        "would love matching cushions for the {product}",
        "bigger sizes for the {bedding} please, super king is a must",
        "please bring back the {colour} colourway",
        "a smaller version of the {product} for flats would sell loads",
    ),
    "delivery": (
        "please offer Saturday delivery",
        "click and collect would be amazing",
        "let us pick a delivery day, I'm never in",
        "text me a one-hour delivery window like other shops do",
    ),
    "website": (
        "a wishlist on the app would be great",
        "let me filter by size on the website please",
        "please show stock levels before checkout",
        "would be nice to see the dimensions without scrolling forever",
        "dark mode for the app please",
    ),
    "packaging": (
        "less cardboard please, my {product} came in a box big enough for a fridge",
        "please stop wrapping each mug in separate plastic",
    ),
    "loyalty": (
        "any chance of a loyalty scheme for regulars?",
        "birthday discount would be a lovely touch",
    ),
    "returns": (
        "paperless returns with a QR code would be so much easier",
        "please add more drop-off points for returns in {city}",
    ),
}

SUGGESTION_PILE_ONS: tuple[str, ...] = (
    "+1 to this", "yes please!!", "would 100% buy this", "this would be so useful",
    "seconded", "please listen to this one",
)

# --------------------------------------------------------------------------- spam

SPAM: dict[str, tuple[str, ...]] = {
    "crypto": (
        "Turn £250 into £5,000 in 7 days with my BTC signals. DM me 'START' 🚀",
        "I made {profit} this morning trading crypto from my phone. Ask me how 💰",
        "Still working 9-5? My students earn £3k a week with forex. Link in bio",
        "New coin launching tonight, 100x guaranteed. Don't miss out {link}",
        "Bitcoin giveaway! Send 0.01 BTC and get 0.1 back. Only 24 hours left",
        "Investing with Mrs {surname} changed my life. Contact her now, 100% legit",
    ),
    "followers": (
        "Buy 10K real followers for only £9.99 👉 {link}",
        "Grow your page FAST 🔥 real likes, real followers, instant delivery. DM us",
        "Want to go viral? We boost posts to 1M views. Check {link}",
        "Cheap verified badge service, message me for prices",
        "Nice post! Promote it to 50k people 👉 {link}",
    ),
    "links": (
        "Larkspur Home giveaway 🎁 claim your £500 voucher at {link} before midnight",
        "90% off designer homeware today only {link}",
        "You have been selected for a free {product}! Claim here: {link}",
        "Your order is on hold, confirm your details at {link}",
        "Check my profile for exclusive home deals 🔥🔥",
        "Hot deals on furniture, up to 80% off {link}",
    ),
}

SPAM_LINK_WORDS: tuple[str, ...] = (
    "mega", "deal", "promo", "bonus", "win", "gift", "free", "vip", "boost", "coin",
    "cash", "lux", "fast", "claim", "prize", "home", "vouch", "sale",
)

SPAM_TLDS: tuple[str, ...] = (".xyz", ".top", ".click", ".live", ".shop", ".icu", ".buzz")

# --------------------------------------------------------------------------- trolls

TROLLS: dict[str, tuple[str, ...]] = {
    "mockery": (
        "lol who actually pays £60 for a candle",
        "your 'care team' is three bots in a trench coat",
        "imagine crying on the internet about a late rug",
        "bloody hell, another day another Larkspur meltdown in the replies",
        "overpriced cushions for people with more money than sense",
        "this brand is so mid",
        "crap service, crap products, crap page",
        "who even shops here, genuine question",
        "your mugs look like my nan's, and not in a good way",
    ),
    "bait": (
        "bet this gets deleted",
        "go on, reply with 'please DM us' like you always do",
        "ratio",
        "another post, another comments section full of angry customers. love it",
        "the admin of this page needs a new job",
        "sack whoever writes these posts",
    ),
}

TROLL_REPLIES: tuple[str, ...] = (
    "imagine crying on the internet about {a_product}",
    "lol just don't buy from them then",
    "skill issue",
    "touch grass",
    "nobody cares mate",
    "cry harder",
    "it's {a_product} not a kidney, calm down",
    "damn, must be tough",
)

# --------------------------------------------------------------------------- offensive

OFFENSIVE: dict[str, tuple[str, ...]] = {
    "profanity": (
        "you absolute fucking clowns, {n_weeks} weeks for {a_product}",
        "fuck this company and fuck your useless care team",
        "whoever runs this page is a useless piece of shit",
        "shit products, shit service, shit everything. fuck off",
        "what the actual fuck is wrong with you people",
    ),
    "insult_staff": (
        "{staff} from your chat is a brainless idiot and should be sacked",
        "your staff are thick as mince, every single one of them",
        "are your customer service people paid to be this stupid?",
        "the moron who packed my order should never work again",
    ),
    "threat": (
        "I know where your {city} warehouse is. keep ignoring me and see what happens",
        "hope your warehouse burns down with all your overpriced crap in it",
        "if I see your delivery driver again he'll regret it",
    ),
}

# --------------------------------------------------------------------------- private data

CARD_PUBLIC: tuple[str, ...] = (
    "you've charged my card {card} twice, sort it out",
    "why was my card {card} declined?? it works everywhere else",
    "can you check the payment from card {card} exp {expiry}, no order confirmation",
    "refund should go back to {card} not a gift card",
    "payment on {card} went through but order says failed",
)

CARD_PRIVATE: tuple[str, ...] = (
    "the payment on card {card} expiry {expiry} cvv {cvv} went through twice, can you "
    "refund one",
    "my card details are {card}, {expiry}, {cvv}. can you just take the payment manually?",
    "here's my card number so you can find the payment: {card}",
    "it was card {card} (exp {expiry}), can you see the refund on your side?",
    "card number {card} security code {cvv} - please just put the order through",
    "the long number is {card} if that helps",
)

PASSWORD_PRIVATE: tuple[str, ...] = (
    "I can't get in, my password is {password}, can you check what's wrong with it",
    "username {email} password {password}",
    "my login is {email} / password {password}, please have a look",
    "tried my PIN {pin} for the gift card balance and it won't work",
    "my password is {password} if that helps you fix the account",
    "the pin for my account is {pin}, I keep getting locked out",
    "I reset my password to {password} but it still says incorrect",
)

CONTACT_PUBLIC: tuple[str, ...] = (
    "please call me on {phone}, I'm sick of waiting",
    "my email is {email}, reply there",
    "ring me on {phone} or email {email}",
    "driver couldn't find the house, my number is {phone}",
    "nobody answers my emails at {email}. can someone call me? {phone}",
)

CONTACT_PRIVATE: tuple[str, ...] = (
    "my email is {email} and my number is {phone}",
    "best to reach me on {phone} after 5",
    "the order is under {email}",
    "can you call me instead? {phone}",
    "account email is {email}, phone {phone}",
)

PASSWORD_WORDS: tuple[str, ...] = (
    "Summer", "Bramble", "Sunflower", "Liverpool", "Bella", "Charlie", "Daisy", "Monkey",
    "Sparkle", "Winter", "Rosie", "Biscuit", "Poppy", "Dragon", "Teddy", "Lemon",
)

EMAIL_DOMAINS: tuple[str, ...] = (
    "gmail.com", "outlook.com", "hotmail.co.uk", "yahoo.co.uk", "icloud.com",
    "btinternet.com", "live.co.uk", "hotmail.com",
)

# Ofcom drama ranges: (prefix, local part start, digits to add). Never allocated to anyone.
DRAMA_PHONES: tuple[tuple[str, str], ...] = (
    ("020 7946", "0"),
    ("0113 496", "0"),
    ("0117 496", "0"),
    ("0161 496", "0"),
    ("0121 496", "0"),
    ("0131 496", "0"),
    ("0141 496", "0"),
    ("0191 498", "0"),
    ("029 2018", "0"),
    ("07700 900", ""),
)

# --------------------------------------------------------------------------- indirect

INDIRECT: dict[str, tuple[str, ...]] = {
    "complaint": (
        "never ordering from {brand} again. {n_weeks} weeks for {a_product}",
        "{brand} customer service is a joke, 3 emails and no reply",
        "word of warning: {brand} took my money twice and won't give it back",
        "so {brand} sent me a broken {product} and now they're ignoring me",
        "do NOT buy the {product} from {brand}, fell apart in a week",
    ),
    "praise": (
        "the {product} from {brand} is honestly the best thing I've bought this year",
        "shoutout to {brand}, lovely packaging and super fast delivery",
        "new bedding from {brand} arrived and I never want to get up",
        "{brand} have done it again, the {colour} {product} is gorgeous",
    ),
    "question": (
        "has anyone bought the {product} from {brand}? is it worth it?",
        "is {brand} legit? never heard of them until an ad",
        "anyone know if {brand} deliver to {country}?",
        "how long do {brand} usually take to deliver?",
    ),
    "chatter": (
        "{brand} sale starts tomorrow apparently",
        "just ordered a new {product} from {brand}, fingers crossed",
        "the {brand} ad with the dog is so cute",
        "my mum is obsessed with {brand}, every present is from there",
    ),
}

BRAND_VARIANTS: tuple[str, ...] = (
    "Larkspur Home", "Larkspur Home", "Larkspur Home", "Larkspur", "larkspur home",
    "larkspur", "LARKSPUR HOME", "LarkspurHome",
)

# --------------------------------------------------------------------------- decoration

EMOJI: dict[str, tuple[str, ...]] = {
    "complaint": ("😡", "🤬", "😤", "🙄", "😩", "😒", "👎", "💀", "🤦‍♀️", "🤦‍♂️", "😠"),
    "sarcastic": ("👏", "🙃", "😂", "🤡", "👏👏", "🙂"),
    "question": ("🙏", "🤔", "😊", "👀", "🙂"),
    "compliment": ("😍", "❤️", "🥰", "🙌", "✨", "💚", "😊", "👏", "🏡"),
    "suggestion": ("🙏", "💡", "😊", "🤞"),
    "spam": ("🚀", "💰", "🔥", "💎", "📈", "✅", "👉"),
    "troll": ("😂", "🤣", "💀", "🥱", "🤡"),
    "offensive": ("🖕", "🤬", "💩"),
    "private": ("🙏", "😩"),
    "indirect": ("😍", "🙄", "👀", "🤔", "😤", "✨"),
}

HASHTAGS: dict[str, tuple[str, ...]] = {
    "complaint": (
        "#fail", "#customerservice", "#worstservice", "#delivery", "#refund", "#NotHappy",
        "#LarkspurHome", "#consumerrights", "#shambles",
    ),
    "question": ("#help", "#LarkspurHome", "#question"),
    "compliment": (
        "#homedecor", "#cosyhome", "#interiors", "#LarkspurHome", "#happycustomer",
        "#newhome", "#homesweethome",
    ),
    "suggestion": ("#feedback", "#LarkspurHome", "#idea"),
    "spam": ("#crypto", "#bitcoin", "#followers", "#giveaway", "#forex", "#deals", "#win"),
    "troll": ("#L", "#ratio", "#overpriced"),
    "offensive": ("#boycott",),
    "indirect": ("#homedecor", "#interiors", "#rant", "#LarkspurHome", "#shopping"),
}

# fmt: on
