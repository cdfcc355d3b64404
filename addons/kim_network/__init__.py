# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
from . import search_guard, speed

speed.apply()
# after speed: the check wraps the RPC's search that speed replaces
search_guard.apply()
