"""xatgrn.baselines"""
