# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
from . import speed

speed.apply()
