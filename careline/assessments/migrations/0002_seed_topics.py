"""The issue's nine topics with starting keywords; supervisors edit them at /settings/topics/."""

from django.db import migrations

TOPICS = [
    (
        "delivery",
        "Delivery",
        [
            "deliver", "delivery", "delivered", "not delivered", "shipping", "shipped", "dispatch",
            "dispatched", "courier", "parcel", "package", "tracking", "tracking number", "arrive",
            "arrived", "never arrived", "driver", "postman", "shipment", "click and collect",
            "late", "lost in the post", "where is my order", "still waiting for my order",
        ],
    ),
    (
        "refund_return",
        "Returns / refund",
        [
            "refund", "refunded", "return", "returned", "returns", "exchange", "money back",
            "reimburse", "credit note", "store credit", "return label", "send it back",
        ],
    ),
    (
        "payment_billing",
        "Billing / payment",
        [
            "charged", "charge", "charged twice", "double charged", "overcharged", "payment",
            "paid", "billing", "bill", "invoice", "card declined", "declined", "direct debit",
            "subscription", "klarna", "paypal", "bank statement",
        ],
    ),
    (
        "product_quality",
        "Product quality",
        [
            "broken", "faulty", "damaged", "defective", "defect", "quality", "ripped", "torn",
            "stopped working", "doesn't work", "doesnt work", "not working", "wrong size",
            "wrong item", "missing item", "smell", "stain", "fell apart", "poor quality",
        ],
    ),
    (
        "account_login",
        "Account / login",
        [
            "login", "log in", "logged out", "sign in", "password", "reset password", "account",
            "locked out", "verification", "verification code", "two factor", "2fa",
            "my account", "delete my account",
        ],
    ),
    (
        "customer_service",
        "Customer service",
        [
            "customer service", "customer support", "support", "no reply", "no response",
            "on hold", "rude", "agent", "staff", "manager", "ignored", "email back",
            "call back", "live chat", "nobody answers", "complaint",
        ],
    ),
    (
        "website_app",
        "Website / app",
        [
            "app", "website", "site", "web site", "crash", "crashes", "error", "bug", "checkout",
            "page", "loading", "won't load", "link", "basket", "cart", "update",
        ],
    ),
    (
        "pricing",
        "Pricing",
        [
            "price", "prices", "pricing", "expensive", "overpriced", "cheaper", "discount",
            "voucher", "promo code", "coupon", "sale", "price match", "price drop",
            "delivery charge", "shipping cost",
        ],
    ),
    ("other", "Other", []),
]


def seed(apps, schema_editor):
    Topic = apps.get_model("assessments", "Topic")
    for position, (slug, name, keywords) in enumerate(TOPICS):
        Topic.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "keywords": "\n".join(keywords), "ordering": position * 10},
        )


def unseed(apps, schema_editor):
    Topic = apps.get_model("assessments", "Topic")
    Topic.objects.filter(slug__in=[slug for slug, _, _ in TOPICS]).delete()


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
