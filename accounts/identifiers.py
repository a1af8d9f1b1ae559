"""Valid identifiers for demo data, the bulk generator and tests."""

import datetime as dt
import random

from stdnum import luhn

# Province/regency/district codes that python-stdnum accepts (Jakarta, Bandung, Surabaya, Medan, Makassar, Bali).
NIK_REGIONS = ["317101", "317402", "327301", "357801", "127101", "737101", "517101"]
MSISDN_PREFIXES = ["0811", "0812", "0813", "0821", "0822", "0852", "0853", "0814", "0815", "0816", "0855",
                   "0856", "0857", "0858"]


def make_nik(rng: random.Random, birth_date: dt.date, female: bool = False, serial: int | None = None) -> str:
    day = birth_date.day + (40 if female else 0)
    serial = rng.randint(1, 9999) if serial is None else serial % 10000 or 1
    return f"{rng.choice(NIK_REGIONS)}{day:02d}{birth_date:%m%y}{serial:04d}"


def make_msisdn(number: int) -> str:
    """A distinct valid E.164 mobile number for each integer below 14 × 10⁸."""
    prefix = MSISDN_PREFIXES[number // 100_000_000 % len(MSISDN_PREFIXES)]
    return "+62" + prefix[1:] + f"{number % 100_000_000:08d}"


def make_iccid(number: int) -> str:
    """19 digits: 89 62 (Indonesia) + issuer 10 + serial, then the Luhn check digit."""
    body = f"896210{number:012d}"
    return body + luhn.calc_check_digit(body)


def make_imsi(number: int) -> str:
    return f"51010{number:010d}"


def make_imei(number: int) -> str:
    body = f"35{number:012d}"
    return body + luhn.calc_check_digit(body)
