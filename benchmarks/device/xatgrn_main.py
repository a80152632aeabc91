import sys

if __name__ == "__main__":
    from xatgrn.cli import main

    sys.argv[0] = "xatgrn"
    main()
