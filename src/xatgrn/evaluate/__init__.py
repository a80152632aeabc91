"""xatgrn.evaluate"""
