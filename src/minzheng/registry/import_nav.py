"""Navigation for the ledger import (loaded by RegistryConfig.ready)."""

from minzheng.accounts.roles import Cap
from minzheng.core import nav

nav.register("导入台账", "registry:import_upload", Cap.IMPORT, order=215, section="档案")
