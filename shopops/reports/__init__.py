"""Operations reports and questions over store data: numbers computed in code, words checked."""
