"""Setting up a site from a spreadsheet: template, preview, confirmed import (R34)."""
