"""xatgrn.model"""
