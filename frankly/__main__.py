from frankly.cli import main

main()
