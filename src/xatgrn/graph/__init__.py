"""xatgrn.graph"""
