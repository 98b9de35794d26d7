"""(placeholder module: routes land here)"""
