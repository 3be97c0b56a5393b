"""Navigation for the ledger import (loaded by RegistryConfig.ready)."""

from django.utils.translation import gettext_noop

from minzheng.accounts.roles import Cap
from minzheng.core import nav

nav.register(gettext_noop("导入台账"), "registry:import_upload", Cap.IMPORT, order=215, section=gettext_noop("档案"))
