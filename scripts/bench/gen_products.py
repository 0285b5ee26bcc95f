#!/usr/bin/env python3
"""Generate dummyjson-shaped products (https://dummyjson.com/products) for benchmarks and tests.

Deterministic: the same --seed gives the same products, and product i (id i) is the same in every
output mode, so an NDJSON file and a directory of pages of the same count hold the same data.

    gen_products.py --count 1000000 --ndjson --out products.ndjson
    gen_products.py --count 5 --ndjson                          # to stdout
    gen_products.py --pages 100 --page-size 30 --out-dir pages  # pages/page-0001.json ...
    gen_products.py --count 100 --json --out products.json      # one {"products": [...], ...} document

Pages are what dummyjson serves: {"products": [...], "total": T, "skip": S, "limit": L}; they are
named page-0001.json, page-0002.json ... (zero-padded to at least 4 digits, so they sort).
"""

import argparse
import json
import os
import random
import sys

CATEGORIES = {
    "beauty": (["Mascara", "Eyeshadow Palette", "Powder Canister", "Red Lipstick", "Nail Polish"],
               ["Essence", "Glamour Beauty", "Velvet Touch", "Chic Cosmetics", "Nail Couture"], (5, 60)),
    "fragrances": (["Eau de Parfum", "Cologne", "Body Mist", "Perfume Oil"],
                   ["Calvin Klein", "Chanel", "Dior", "Gucci"], (20, 180)),
    "furniture": (["Bed", "Sofa", "Bedside Table", "Office Chair", "Bathroom Sink"],
                  ["Annibale Colombo", "Furniture Co.", "Knoll", "Bath Trends"], (50, 2500)),
    "groceries": (["Apple", "Beef Steak", "Cat Food", "Chicken Meat", "Cooking Oil", "Cucumber", "Honey Jar"],
                  [None], (1, 30)),
    "home-decoration": (["Decoration Swing", "Family Tree Photo Frame", "House Showpiece Plant", "Table Lamp"],
                        [None], (10, 90)),
    "kitchen-accessories": (["Bamboo Spatula", "Black Aluminium Cup", "Chopping Board", "Egg Slicer", "Fine Mesh Strainer"],
                            [None], (3, 40)),
    "laptops": (["MacBook Pro 14 Inch", "Asus Zenbook Pro", "Huawei Matebook X", "Lenovo Yoga 920", "Dell XPS 8940"],
                ["Apple", "Asus", "Huawei", "Lenovo", "Dell"], (700, 3500)),
    "smartphones": (["iPhone 13 Pro", "Galaxy S10", "Oppo A57", "Realme XT", "Vivo X21"],
                    ["Apple", "Samsung", "Oppo", "Realme", "Vivo"], (120, 1500)),
}
CATEGORY_NAMES = sorted(CATEGORIES)
ADJECTIVES = ["Classic", "Premium", "Compact", "Deluxe", "Eco", "Ultra", "Smart", "Vintage", "Pro", "Mini"]
WORDS = ("quality design comfort durable lightweight elegant modern everyday versatile long lasting smooth finish "
         "perfect gift easy to use stylish reliable natural fresh rich colour precise fit essential favourite").split()
WARRANTY = ["No warranty", "1 week warranty", "1 month warranty", "3 months warranty", "6 months warranty",
            "1 year warranty", "2 year warranty", "Lifetime warranty"]
SHIPPING = ["Ships overnight", "Ships in 1-2 business days", "Ships in 3-5 business days", "Ships in 1 week",
            "Ships in 2 weeks", "Ships in 1 month"]
RETURNS = ["No return policy", "7 days return policy", "30 days return policy", "60 days return policy",
           "90 days return policy"]
COMMENTS = ["Very satisfied!", "Highly recommended!", "Great product!", "Would buy again!", "Not as described!",
            "Very unhappy with my purchase!", "Disappointing product!", "Excellent quality!", "Fast shipping!",
            "Awesome product!", "Poor quality!", "Very pleased!"]
FIRST = ["John", "Lucas", "Eleanor", "Ethan", "Avery", "Scarlett", "Liam", "Nora", "Mateo", "Chloe", "Aaron", "Zoe"]
LAST = ["Doe", "Gordon", "Collins", "Martinez", "Carter", "Wright", "Garcia", "Cooper", "Ramirez", "Mitchell"]
SKU_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
CDN = "https://cdn.dummyjson.com/products/images"


def timestamp(rng):
    return "2024-%02d-%02dT%02d:%02d:%02d.%03dZ" % (
        rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59),
        rng.randint(0, 999))


def product(rng, pid):
    """Product `pid` (1-based): consumes the random stream in a fixed order."""
    category = CATEGORY_NAMES[rng.randrange(len(CATEGORY_NAMES))]
    nouns, brands, (low, high) = CATEGORIES[category]
    noun = nouns[rng.randrange(len(nouns))]
    brand = brands[rng.randrange(len(brands))]
    title = "%s %s" % (ADJECTIVES[rng.randrange(len(ADJECTIVES))], noun)
    if brand is not None and rng.random() < 0.5:
        title = brand + " " + title
    description = "The %s is a %s." % (title, " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 16))))
    roll = rng.random()
    if roll < 0.7:
        status, stock = "In Stock", rng.randint(10, 150)
    elif roll < 0.9:
        status, stock = "Low Stock", rng.randint(1, 9)
    else:
        status, stock = "Out of Stock", 0
    slug = noun.lower().replace(" ", "-")
    folder = "%s/%s" % (CDN, category)
    created = timestamp(rng)
    reviews = []
    for _ in range(rng.randint(0, 5)):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        reviews.append({
            "rating": rng.randint(1, 5),
            "comment": rng.choice(COMMENTS),
            "date": timestamp(rng),
            "reviewerName": first + " " + last,
            "reviewerEmail": "%s.%s@x.dummyjson.com" % (first.lower(), last.lower()),
        })
    p = {
        "id": pid,
        "title": title,
        "description": description,
        "category": category,
        "price": round(rng.uniform(low, high), 2),
        "discountPercentage": round(rng.uniform(0.5, 20), 2),
        "rating": round(rng.uniform(1, 5), 2),
        "stock": stock,
        "tags": [category] + ([slug] if rng.random() < 0.8 else []),
    }
    # Like dummyjson, some products (groceries, decorations...) have no brand at all.
    if brand is not None:
        p["brand"] = brand
    p.update({
        "sku": "".join(rng.choice(SKU_CHARS) for _ in range(8)),
        "weight": rng.randint(1, 10),
        "dimensions": {
            "width": round(rng.uniform(5, 30), 2),
            "height": round(rng.uniform(5, 30), 2),
            "depth": round(rng.uniform(5, 30), 2),
        },
        "warrantyInformation": rng.choice(WARRANTY),
        "shippingInformation": rng.choice(SHIPPING),
        "availabilityStatus": status,
        "reviews": reviews,
        "returnPolicy": rng.choice(RETURNS),
        "minimumOrderQuantity": rng.randint(1, 50),
        "meta": {
            "createdAt": created,
            "updatedAt": created,
            "barcode": "%013d" % rng.randrange(10 ** 13),
            "qrCode": "https://cdn.dummyjson.com/public/qr-code.png",
        },
        "images": ["%s/%s/%d.webp" % (folder, slug, i) for i in range(1, rng.randint(1, 3) + 1)],
        "thumbnail": "%s/%s/thumbnail.webp" % (folder, slug),
    })
    return p


def products(seed, count, start=1):
    """Products start..count in order; the stream is always generated from product 1."""
    rng = random.Random(seed)
    for pid in range(1, count + 1):
        p = product(rng, pid)
        if pid >= start:
            yield p


def open_out(path):
    if path in (None, "-"):
        return sys.stdout
    return open(path, "w", encoding="utf-8", buffering=1 << 20)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--ndjson", action="store_true", help="one product per line")
    mode.add_argument("--json", action="store_true", help="one dummyjson page holding every product")
    mode.add_argument("--pages", type=int, metavar="N", help="N dummyjson pages, one file each, into --out-dir")
    parser.add_argument("--count", type=int, help="number of products (--ndjson, --json; default 100)")
    parser.add_argument("--page-size", type=int, default=30, metavar="K", help="products per page (default 30)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--out", help="output file for --ndjson and --json (default stdout)")
    parser.add_argument("--out-dir", help="directory for --pages (created when missing)")
    args = parser.parse_args()

    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    if args.pages is not None:
        if not args.out_dir:
            parser.error("--pages needs --out-dir")
        if args.pages < 1 or args.page_size < 1:
            parser.error("--pages and --page-size must be positive")
        os.makedirs(args.out_dir, exist_ok=True)
        total = args.pages * args.page_size
        width = max(4, len(str(args.pages)))
        stream = products(args.seed, total)
        for page in range(args.pages):
            items = [next(stream) for _ in range(args.page_size)]
            body = {"products": items, "total": total, "skip": page * args.page_size, "limit": args.page_size}
            name = os.path.join(args.out_dir, "page-%0*d.json" % (width, page + 1))
            with open(name, "w", encoding="utf-8") as f:
                f.write(dumps(body))
                f.write("\n")
        return

    count = 100 if args.count is None else args.count
    out = open_out(args.out)
    try:
        if args.ndjson:
            write = out.write
            for p in products(args.seed, count):
                write(dumps(p))
                write("\n")
        else:
            body = {"products": list(products(args.seed, count)), "total": count, "skip": 0, "limit": count}
            out.write(dumps(body))
            out.write("\n")
    except BrokenPipeError:
        # `| head` closed the pipe: not an error for a generator.
        sys.stderr.close()
    finally:
        if out is not sys.stdout:
            out.close()


if __name__ == "__main__":
    main()
