"""xatgrn.analysis"""
